import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import type { ClaimAnswer, Deployment, Page, Run } from "@weir/protocol";
import { freshPostgresDatabase } from "@weir/test-support";
import { describe, expect, it } from "vitest";

import { postgres, uuid } from "./backends.js";

const WINDOW_MS = 60_000;

/** Starts a replica process; resolves with its URL. */
function startReplica(db: string, dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "replica-process.ts"), db, dataDir],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`replica exited with ${code}`)));
    createInterface({ input: child.stdout }).once("line", (url) => resolve({ url, child }));
  });
}

async function call<T>(url: string, method: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

// Replicas share a PostgreSQL database; a SQLite file belongs to one server process (docs/server.md).
const BACKENDS = [
  { name: "postgres", skip: postgres.skip, replicas: "two server replicas" },
  { name: "sqlite", skip: false, replicas: "one server process" },
] as const;

describe.each(BACKENDS)("$replicas on one $name database", ({ name, skip }) => {
  it.skipIf(skip)(
    "run an every-second schedule for 60 s: exactly 60 runs, none twice, none missing, each claimed once",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "weir-replicas-"));
      const database = name === "postgres" ? await freshPostgresDatabase(postgres.value!) : undefined;
      const db = database?.url ?? `sqlite:${join(dir, "weir.db")}`;
      const replicas: ChildProcess[] = [];
      try {
        const a = await startReplica(db, join(dir, "a"));
        replicas.push(a.child);
        const b = name === "postgres" ? await startReplica(db, join(dir, "b")) : a;
        if (b !== a) replicas.push(b.child);
        const deployment = await call<Deployment>(`${a.url}/api/deployments`, "POST", {
          name: "every-second",
          flowName: "tick",
          entrypoint: "./flows.ts:tick",
          schedule: { cron: "* * * * * *", timezone: "Europe/Berlin" },
          workPool: "ticks",
        });
        const start = Math.ceil(Date.now() / 1000) * 1000 + 2000;
        const end = start + WINDOW_MS;
        // One worker per replica claims each run as it comes due (long poll, woken at the slot).
        const claims: { id: string; scheduledFor: number; at: number }[] = [];
        const claimer = async (url: string) => {
          const workerId = uuid();
          while (Date.now() < end + 1500) {
            const answer = await call<ClaimAnswer>(`${url}/api/work-pools/ticks/claim`, "POST", {
              workerId,
              limit: 10,
              waitMs: 2000,
            });
            for (const { run } of answer.runs)
              claims.push({ id: run.id, scheduledFor: Date.parse(run.scheduledFor!), at: Date.now() });
          }
        };
        await Promise.all([claimer(a.url), claimer(b.url)]);
        await call(`${b.url}/api/deployments/every-second/pause`, "POST");

        const runs: Run[] = [];
        for (let cursor: string | null = ""; cursor !== null;) {
          const page: Page<Run> = await call<Page<Run>>(
            `${a.url}/api/runs?deploymentId=${deployment.id}&limit=500${cursor === "" ? "" : `&cursor=${cursor}`}`,
            "GET",
          );
          runs.push(...page.items);
          cursor = page.nextCursor;
        }
        const inWindow = runs.filter((r) => {
          const at = Date.parse(r.scheduledFor!);
          return at >= start && at < end;
        });
        const slots = inWindow.map((r) => Date.parse(r.scheduledFor!)).sort((x, y) => x - y);
        expect(inWindow).toHaveLength(60);
        expect(new Set(slots).size).toBe(60);
        expect(slots).toEqual(Array.from({ length: 60 }, (_, i) => start + i * 1000));
        const claimedInWindow = claims.filter((c) => c.scheduledFor >= start && c.scheduledFor < end);
        expect(claimedInWindow).toHaveLength(60);
        expect(new Set(claimedInWindow.map((c) => c.id))).toEqual(new Set(inWindow.map((r) => r.id)));
        const lateness = claimedInWindow.map((c) => c.at - c.scheduledFor).sort((x, y) => x - y);
        console.log(
          `${name}: slot → claimed p50 ${lateness[30]} ms, max ${lateness.at(-1)} ms (two long-polling claimers)`,
        );
        expect(lateness[0]).toBeGreaterThanOrEqual(0);
      } finally {
        for (const child of replicas) child.kill("SIGTERM");
        await Promise.all(
          replicas.map(
            (c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.once("exit", resolve))),
          ),
        );
        await database?.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    150_000,
  );
});

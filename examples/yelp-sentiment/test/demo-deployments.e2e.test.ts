import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { connect } from "@weir/stream";
import type { Stream } from "@weir/stream";
import { freePort, freshPostgresDatabase, probePostgres, requireService } from "@weir/test-support";
import type { PostgresDatabase } from "@weir/test-support";
import { afterAll, describe, expect, it } from "vitest";

import { SAMPLE_DATA } from "../src/component-args.js";
import type { SubscriberCheckpoint } from "../src/learn-from-stream.js";
import { readReviews } from "../src/reviews/read-reviews.js";
import { SentimentModel } from "../src/sentiment-model.js";
import type { Component } from "./app-processes.js";
import { api, CLI_BIN, readMetrics, waitFor } from "./app-processes.js";

// The acceptance test of "the reference application runs as deployments": `weir demo` as a user runs
// it (its own server, a real `weir worker start` process, the flows in the worker's child processes),
// the subscriber's process SIGKILLed mid-stream, restarted by the worker under its restart policy.

const postgres = await requireService("PostgreSQL", () => probePostgres());

const REVIEWS = 337;
const SUBSCRIBER = "yelp-sentiment-subscriber";
/** The subscriber's checkpoint: its flow's scope, key `<group>:<topic>`. */
const CHECKPOINT = `run-yelp-data-subscriber/${encodeURIComponent("sentiment-model:river_pipeline")}`;

interface DeployedRun {
  id: string;
  state: string;
  stateMessage: string | null;
  restartOf: string | null;
}

interface DeploymentSummary {
  id: string;
  name: string;
  version: number;
  restartPolicy: { mode: string };
  schedule: unknown;
  lastRuns: DeployedRun[];
}

/** The uninterrupted run over the sample, computed in this process: the model and every metrics triple. */
async function reference(): Promise<{ model: SentimentModel; metrics: [number, number, number][] }> {
  const model = new SentimentModel();
  const metrics: [number, number, number][] = [];
  for await (const record of readReviews(SAMPLE_DATA)) {
    if (record.kind !== "review") throw new Error(`line ${record.line}: ${record.reason}`);
    const step = model.step(record.text, record.sentiment);
    metrics.push([step.precision, step.recall, step.n]);
  }
  return { model, metrics };
}

/** The environment of a user with no Weir settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("WEIR_")));
}

function startDemo(args: readonly string[], cwd: string): Component {
  const child = spawn(process.execPath, [CLI_BIN, "demo", ...args], {
    cwd,
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/**
 * The pid of a run's process, from the worker's log (`started run <id> (…) as pid <pid>`), checked
 * against the process's environment where /proc shows it: the worker starts it with WEIR_RUN_ID.
 */
function pidOf(dataDir: string, runId: string): number | undefined {
  const log = join(dataDir, "demo-logs", "worker.log");
  if (!existsSync(log)) return undefined;
  const match = new RegExp(`started run ${runId} .* as pid (\\d+)`).exec(readFileSync(log, "utf8"));
  if (match === null) return undefined;
  const pid = Number(match[1]);
  // A worker's child: a warm one got the run's environment over IPC after it started, so its
  // /proc environ does not name the run; the worker's log line above does.
  const cmdline = `/proc/${pid}/cmdline`;
  if (existsSync(cmdline)) expect(readFileSync(cmdline, "utf8")).toContain("child-runner.js");
  return pid;
}

async function deployment(url: string, name: string): Promise<DeploymentSummary> {
  return api<DeploymentSummary>(url, `/deployments/${encodeURIComponent(name)}`);
}

/** Waits for the demo to print `pattern`, or fails with its output. */
async function printed(demo: Component, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `the demo to print ${pattern}`,
    () => Promise.resolve(pattern.test(demo.output()) ? true : undefined),
    timeoutMs,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; it printed:\n${demo.output()}`);
  });
}

async function stop(demo: Component): Promise<string> {
  demo.child.kill("SIGINT");
  expect(await demo.exited, demo.output()).toEqual({ code: 0, signal: null });
  return demo.output();
}

/** Every review learned exactly once: the model, its confusion matrix and the metrics of an uninterrupted run. */
async function expectExactlyOnce(url: string, stream: Stream): Promise<void> {
  const expected = await reference();
  const checkpoint = await waitFor(
    "a checkpoint covering every review",
    async () => {
      const entry = await api<{ value: SubscriberCheckpoint }>(url, `/checkpoints/${CHECKPOINT}`);
      return entry.value.lastOffset >= REVIEWS ? entry.value : undefined;
    },
    60_000,
  );
  const restored = SentimentModel.fromJSON(checkpoint.state);
  expect(restored.count).toBe(REVIEWS);
  expect(restored.cm.toString()).toBe(expected.model.cm.toString());
  expect(JSON.parse(JSON.stringify(restored.toJSON()))).toEqual(
    JSON.parse(JSON.stringify(expected.model.toJSON())),
  );
  // river_metrics holds one event per review offset, and the sequence by offset is the uninterrupted one.
  expect((await stream.topicInfo("river_metrics")).eventCount).toBe(REVIEWS);
  const metrics = await readMetrics(stream, "river_metrics", REVIEWS);
  expect(new Set(metrics.map((m) => m.offset)).size).toBe(REVIEWS);
  metrics.sort((a, b) => a.offset - b.offset);
  expect(metrics.map((m) => [m.precision, m.recall, m.n])).toEqual(expected.metrics);
}

const setups = [
  { storage: "SQLite", skip: false, postgresUrl: undefined },
  { storage: "PostgreSQL", skip: postgres.skip, postgresUrl: postgres.value },
] as const;

describe.each(setups)("weir demo runs the application as deployments (server on $storage)", (setup) => {
  const dir = mkdtempSync(join(tmpdir(), "weir-demo-deployments-"));
  const demos: Component[] = [];
  let database: PostgresDatabase | undefined;
  afterAll(async () => {
    for (const demo of demos) demo.child.kill("SIGKILL");
    await Promise.all(demos.map((demo) => demo.exited));
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(setup.skip)(
    "restarts the SIGKILLed subscriber as a new run linked by restartOf, which resumes from its checkpoint: every review learned exactly once; run again, it deploys nothing new",
    async () => {
      database = setup.postgresUrl === undefined ? undefined : await freshPostgresDatabase(setup.postgresUrl);
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const dataDir = join(dir, ".weir");
      const args = [
        ...["--port", String(port), "--data-dir", dataDir, "--rate", "20"],
        ...(database === undefined ? [] : ["--db", database.url]),
      ];
      const demo = startDemo(args, dir);
      demos.push(demo);
      await printed(demo, /^Dashboard: /m);
      expect(await api<{ database: string }>(url, "/health")).toMatchObject({
        database: setup.storage === "SQLite" ? "sqlite" : "postgres",
      });
      expect(demo.output()).toContain(`${url}/#/deployments`);

      // The subscriber runs under its deployment and has learned some reviews, not all.
      const first = await waitFor(
        "the subscriber's run Running",
        async () => {
          const run = (await deployment(url, SUBSCRIBER)).lastRuns[0];
          return run?.state === "Running" ? run : undefined;
        },
        60_000,
      );
      const stream = await connect({ url });
      try {
        const saved = await waitFor(
          "a checkpoint of 20 reviews or more",
          async () => {
            const entry = await api<{ value: SubscriberCheckpoint }>(url, `/checkpoints/${CHECKPOINT}`);
            return entry.value.lastOffset >= 20 ? entry.value.lastOffset : undefined;
          },
          60_000,
        );
        const pid = await waitFor("the pid of the subscriber's process", () =>
          Promise.resolve(pidOf(dataDir, first.id)),
        );
        process.kill(pid, "SIGKILL");
        const learnedAtKill = (await stream.topicInfo("river_metrics")).eventCount;
        expect(learnedAtKill, "the kill interrupts the stream").toBeLessThan(REVIEWS);

        // The worker records the run Crashed; the restart policy queues a new run linked to it, which
        // the worker starts in a new process.
        const restarted = await waitFor(
          "the restarted subscriber Running",
          async () => {
            const run = (await deployment(url, SUBSCRIBER)).lastRuns[0];
            return run?.restartOf === first.id && run.state === "Running" ? run : undefined;
          },
          60_000,
        );
        expect(restarted.id).not.toBe(first.id);
        expect(await api<DeployedRun>(url, `/runs/${first.id}`)).toMatchObject({ state: "Crashed" });
        await waitFor("the restarted run's own process", () => Promise.resolve(pidOf(dataDir, restarted.id)));
        // It went on from the checkpoint saved before the kill (or a later one), not from scratch.
        const restored = await waitFor("the restarted run's restore", async () => {
          const page = await api<{ items: { message: string }[] }>(
            url,
            `/runs/${restarted.id}/logs?q=${encodeURIComponent("Restored checkpoint")}&limit=1`,
          );
          return page.items[0]?.message;
        });
        const from = Number(/up to offset (\d+)/.exec(restored)?.[1]);
        expect(from).toBeGreaterThanOrEqual(saved);
        expect(from).toBeLessThanOrEqual(learnedAtKill);

        await expectExactlyOnce(url, stream);
        await printed(demo, /publisher Completed · subscriber Running \(restarted\) · monitor Running/);
        expect(demo.output()).toMatch(new RegExp(`The subscriber run ${first.id} ended Crashed`));
      } finally {
        await stream.close();
      }

      // Ctrl-C: the runs end Cancelled, and a cancelled run is not restarted.
      const output = await stop(demo);
      expect(output).toMatch(/publisher Completed · subscriber Cancelled \(restarted\) · monitor Cancelled/);

      // The same demo on the same data: the same three deployments (no new version), one subscriber run.
      const again = startDemo(args, dir);
      demos.push(again);
      await printed(again, /^Dashboard: /m);
      expect(again.output()).toMatch(
        /yelp-sentiment-subscriber v1 and yelp-sentiment-monitor v1 \(restart: always\), yelp-sentiment-publisher v1 \(on demand\)/,
      );
      const all = await api<DeploymentSummary[]>(url, "/deployments");
      expect(all.map((d) => [d.name, d.version]).sort()).toEqual([
        ["yelp-sentiment-monitor", 1],
        ["yelp-sentiment-publisher", 1],
        ["yelp-sentiment-subscriber", 1],
      ]);
      const subscriber = await deployment(url, SUBSCRIBER);
      expect(subscriber.restartPolicy.mode).toBe("always");
      await waitFor("the subscriber Running again", async () =>
        (await deployment(url, SUBSCRIBER)).lastRuns[0]?.state === "Running" ? true : undefined,
      );
      const active = await api<{ items: DeployedRun[] }>(
        url,
        `/runs?deploymentId=${subscriber.id}&state=Scheduled,Late,Pending,Running,Cancelling`,
      );
      expect(active.items).toHaveLength(1);
      await stop(again);
    },
    300_000,
  );
});

import { startServer } from "@weir/server";
import { probePostgres, requireService, startTempServer } from "@weir/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { getHistory, getLogs, getRun, runFixture, tempDir, waitFor } from "../test/harness.js";

const postgres = await requireService("PostgreSQL", () => probePostgres());
const tmp = tempDir();
afterAll(() => tmp.remove());

/** Cancels a run through the API, as the UI's button and `weir runs cancel` do. */
async function cancel(url: string, runId: string): Promise<{ status: number; state: string }> {
  const res = await fetch(`${url}/api/runs/${runId}/cancel`, { method: "POST" });
  return { status: res.status, state: ((await res.json()) as { state: string }).state };
}

const backends = [
  { name: "SQLite", skip: false, postgresUrl: undefined },
  { name: "PostgreSQL", skip: postgres.skip, postgresUrl: postgres.value },
];

describe.each(backends)(
  "a hand-started flow cancelled through the API ($name)",
  ({ name, skip, postgresUrl }) => {
    it.skipIf(skip)(
      "aborts ctx.signal within 2 s, ends Cancelled, and nothing is logged into it afterwards",
      async () => {
        const server = await startTempServer(startServer, { dataDir: `${tmp.dir}/${name}`, postgresUrl });
        try {
          const fixture = runFixture("long-running-flow.ts", {
            WEIR_API_URL: server.url,
            WEIR_HOME: `${tmp.dir}/${name}-client`,
            WEIR_BATCH_INTERVAL_MS: "100",
          });
          const runId = (await fixture.waitForLine("READY ")).slice("READY ".length);
          await waitFor(async () =>
            (await getRun(server.url, runId)).state === "Running" ? true : undefined,
          );
          const requested = Date.now();
          expect(await cancel(server.url, runId)).toEqual({ status: 202, state: "Cancelling" });
          await fixture.waitForLine("ABORTED WeirCancelledError", 5000);
          expect(Date.now() - requested).toBeLessThan(2000);
          await fixture.exited;
          const run = await getRun(server.url, runId);
          expect(run.state).toBe("Cancelled");
          expect((await getHistory(server.url, runId)).map((s) => s.type)).toEqual([
            "Running",
            "Cancelling",
            "Cancelled",
          ]);
          const logs = await getLogs(server.url, runId);
          expect(logs.some((l) => l.message.startsWith("stopping: The run was cancelled"))).toBe(true);
          expect(logs.every((l) => l.timestamp <= (run.endTime as string))).toBe(true);
          expect(await cancel(server.url, runId)).toMatchObject({ status: 409 });
        } finally {
          await server.close();
        }
      },
    );

    it.skipIf(skip)(
      "ends a run whose code ignores the abort Cancelled after the grace period; its later lines are dropped",
      async () => {
        const server = await startTempServer(startServer, {
          dataDir: `${tmp.dir}/${name}-deaf`,
          postgresUrl,
        });
        try {
          const fixture = runFixture("long-running-flow.ts", {
            WEIR_API_URL: server.url,
            WEIR_HOME: `${tmp.dir}/${name}-deaf-client`,
            WEIR_BATCH_INTERVAL_MS: "100",
            WEIR_SHUTDOWN_GRACE_MS: "500",
            FIXTURE_IGNORE_ABORT: "1",
          });
          const runId = (await fixture.waitForLine("READY ")).slice("READY ".length);
          await waitFor(async () =>
            (await getRun(server.url, runId)).state === "Running" ? true : undefined,
          );
          const requested = Date.now();
          await cancel(server.url, runId);
          const run = await waitFor(async () => {
            const r = await getRun(server.url, runId);
            return r.state === "Cancelled" ? r : undefined;
          });
          expect(Date.now() - requested).toBeLessThan(2000 + 500 + 1000);
          expect(run.stateMessage).toMatch(
            /did not stop within the 0.5 s grace period after the cancel request/,
          );
          await fixture.exited; // the call rejected (WeirCancelledError): the script's top-level await throws
          const logs = await getLogs(server.url, runId);
          expect(logs.every((l) => l.timestamp <= (run.endTime as string))).toBe(true);
        } finally {
          await server.close();
        }
      },
    );
  },
);

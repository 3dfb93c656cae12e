import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { TestServer } from "../test/harness.js";
import { getLogs, getRun, runFixture, serverSuite } from "../test/harness.js";

const { tmp, server } = serverSuite();

/** Segment files left in a client home's spool (of any process). */
function spooledSegments(home: string): string[] {
  const root = path.join(home, "spool");
  let dirs: string[] = [];
  try {
    dirs = readdirSync(root);
  } catch {
    return [];
  }
  return dirs.flatMap((dir) => readdirSync(path.join(root, dir)).filter((f) => f.endsWith(".jsonl")));
}

/**
 * A flow process whose server goes down while it runs: the test stops the server once the run is
 * stored, and `returnAt` decides when (relative to the server's return) the flow returns and the
 * process exits on its own.
 */
async function outage(
  name: string,
  returnAt: (restart: () => Promise<TestServer>, trigger: () => void) => Promise<void>,
): Promise<{ runId: string; lines: number; url: string; home: string }> {
  const dataDir = `${tmp.dir}/${name}-server`;
  const home = `${tmp.dir}/${name}-client`;
  const first = await server(dataDir);
  const triggerFile = `${tmp.dir}/${name}-return`;
  const fixture = runFixture("final-flush-flow.ts", {
    WEIR_API_URL: first.url,
    WEIR_HOME: home,
    WEIR_BATCH_INTERVAL_MS: "100",
    FIXTURE_TRIGGER: triggerFile,
  });
  const runId = (await fixture.waitForLine("RUN ")).slice(4);
  for (let i = 0; i < 100 && (await getRun(first.url, runId).catch(() => undefined)) === undefined; i++)
    await delay(50);
  await first.close();
  await returnAt(
    () => server(dataDir, first.port),
    () => writeFileSync(triggerFile, ""),
  );
  const exit = await fixture.exited;
  expect(exit.code, fixture.stderr.join("")).toBe(0);
  const lines = Number((fixture.lines.find((l) => l.startsWith("LINES ")) ?? "").slice(6));
  expect(lines).toBeGreaterThan(50);
  return { runId, lines, url: first.url, home };
}

describe("the final flush of a flow process", () => {
  it("reaches a server that came back just before the flow returned, instead of waiting for the backoff", async () => {
    // Down 4.3 s: the client's reconnect attempts (0.2 s doubling, ±20 %) are then ~3 s apart, the next
    // one at least 0.6 s away when the flow returns right after the server is back.
    const { runId, lines, url, home } = await outage("came-back", async (restart, trigger) => {
      await delay(4_300);
      await restart();
      trigger();
    });
    const run = await getRun(url, runId);
    expect(run.state).toBe("Completed");
    expect((await getLogs(url, runId)).map((l) => l.message)).toEqual(
      Array.from({ length: lines }, (_, i) => `line ${i}`),
    );
    expect(spooledSegments(home)).toEqual([]);
  }, 40_000);

  it("keeps trying for flushTimeoutMs when the server comes back while the flush waits", async () => {
    const { runId, lines, url, home } = await outage("during-flush", async (restart, trigger) => {
      await delay(1_500);
      trigger();
      await delay(1_500); // the flow has returned and is flushing
      await restart();
    });
    expect((await getRun(url, runId)).state).toBe("Completed");
    expect(await getLogs(url, runId)).toHaveLength(lines);
    expect(spooledSegments(home)).toEqual([]);
  }, 40_000);
});

import { setTimeout as delay } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { closeClient, configure, flow } from "./index.js";
import type { LogView } from "../test/harness.js";
import { closedPortUrl, getLogs, runFixture, startTestServer, tempDir, waitFor } from "../test/harness.js";

const tmp = tempDir();

afterAll(async () => {
  await closeClient();
  tmp.remove();
});

/** docs/flows.md: what a SIGKILL may lose of the lines logged while the server is unreachable. */
const LOSS_BOUND_MS = 100;

describe("a flow process killed with SIGKILL while the server is down", () => {
  it(`loses only the lines of the last ${LOSS_BOUND_MS} ms before the kill`, async () => {
    const home = `${tmp.dir}/killed-client`;
    const fixture = runFixture("paced-writer.ts", {
      WEIR_API_URL: await closedPortUrl(),
      WEIR_HOME: home,
      FIXTURE_EVERY_MS: "4",
    });
    const runId = (await fixture.waitForLine("RUN ")).slice(4);
    await delay(2_500); // spooling for a while, at a steady ~200 lines/s
    const killedAt = Date.now();
    fixture.child.kill("SIGKILL");
    expect((await fixture.exited).signal).toBe("SIGKILL");

    const live = await startTestServer({ dataDir: `${tmp.dir}/killed-server` });
    try {
      configure({ apiUrl: live.url, home, printLogs: false, batchIntervalMs: 100 });
      await flow({ name: "adopter" }, () => undefined)(); // adopts and replays the dead process's spool
      let previous = -1;
      const logs = await waitFor(
        async () => {
          const all = await getLogs(live.url, runId).catch((): LogView[] => []);
          const settled = all.length > 0 && all.length === previous;
          previous = all.length;
          return settled ? all : undefined;
        },
        20_000,
        "the killed process's spool to be replayed",
      );
      // No gaps: every line up to the last stored one is there, in order.
      expect(logs.map((l) => l.message)).toEqual(Array.from({ length: logs.length }, (_, i) => `line ${i}`));
      expect(logs.length).toBeGreaterThan(300);
      // The first lost line was logged after the last stored one: so it is within the bound.
      const lastStoredAt = Date.parse(logs.at(-1)?.timestamp ?? "");
      expect(killedAt - lastStoredAt).toBeLessThanOrEqual(LOSS_BOUND_MS);
    } finally {
      await closeClient();
      await live.close();
    }
  }, 40_000);
});

import type { Activity, StateType } from "@weir/protocol";
import { MAX_ACTIVITY_BUCKETS } from "@weir/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BACKENDS, startTestServer, uuid } from "../test/backends.js";
import type { TestServer } from "../test/backends.js";

const HOUR = 3_600_000;
const RUNS = 10_000;
const TO = Date.parse("2026-12-04T12:00:00.000Z");
const FROM = TO - 24 * HOUR;

/** Run `i` of the seed: spread evenly over the 24 hours before `TO`, in one of four states. */
function seedRun(i: number): { time: number; state: StateType } {
  const time = FROM + Math.floor(((i + 0.5) * 24 * HOUR) / RUNS);
  const states: StateType[] = ["Completed", "Completed", "Failed", "Running"];
  return { time, state: states[i % states.length]! };
}

/** The answer the seed should give, counted here run by run. */
function expectedBuckets(buckets: number): Partial<Record<StateType, number>>[] {
  const bucketMs = Math.ceil((TO - FROM) / buckets);
  const out: Partial<Record<StateType, number>>[] = Array.from({ length: buckets }, () => ({}));
  for (let i = 0; i < RUNS; i++) {
    const { time, state } = seedRun(i);
    const counts = out[Math.floor((time - FROM) / bucketMs)]!;
    counts[state] = (counts[state] ?? 0) + 1;
  }
  return out;
}

async function seed(server: TestServer): Promise<void> {
  const ids = Array.from({ length: RUNS }, () => uuid());
  const runs = ids.map((id, i) => ({
    id,
    flowName: `activity-${i % 7}`,
    state: "Running" as const,
    timestamp: new Date(seedRun(i).time).toISOString(),
  }));
  await server.json("POST", "/api/ingest", { runs });
  const states = ids
    .map((runId, i) => ({ runId, i, ...seedRun(i) }))
    .filter((r) => r.state !== "Running")
    .map((r) => ({
      runId: r.runId,
      id: uuid(),
      type: r.state,
      timestamp: new Date(r.time + 1000).toISOString(),
    }));
  await server.json("POST", "/api/ingest", { states });
  // A task run: counted under kind=task only.
  await server.json("POST", "/api/ingest", {
    runs: [
      {
        id: uuid(),
        kind: "task",
        flowName: "activity-0",
        state: "Running",
        timestamp: new Date(TO - HOUR).toISOString(),
      },
    ],
  });
}

const activity = (server: TestServer, query: string): Promise<Activity> =>
  server.json<Activity>("GET", `/api/dashboard/activity?${query}`);

describe.each(BACKENDS)("GET /api/dashboard/activity on $name", ({ name, skip }) => {
  let server: TestServer;

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(name);
    await seed(server);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  const window = `from=${new Date(FROM).toISOString()}&to=${new Date(TO).toISOString()}`;

  it.skipIf(skip)(
    "counts 10,000 runs over 24 hours per state in each bucket, covering all 24 hours",
    async () => {
      const answer = await activity(server, `${window}&buckets=96`);
      expect(answer.from).toBe(new Date(FROM).toISOString());
      expect(answer.to).toBe(new Date(TO).toISOString());
      expect(answer.bucketMs).toBe(15 * 60_000);
      expect(answer.total).toBe(RUNS);
      expect(answer.buckets).toHaveLength(96);
      expect(answer.buckets[0]!.start).toBe(new Date(FROM).toISOString());
      expect(answer.buckets[95]!.start).toBe(new Date(TO - 15 * 60_000).toISOString());
      expect(answer.buckets.map((b) => b.counts)).toEqual(expectedBuckets(96));
      // The first and the last quarter hour both hold runs: the chart spans the whole day.
      const sum = (b: Activity["buckets"][number]) => Object.values(b.counts).reduce((a, n) => a + n, 0);
      expect(sum(answer.buckets[0]!)).toBeGreaterThan(100);
      expect(sum(answer.buckets[95]!)).toBeGreaterThan(100);
    },
  );

  it.skipIf(skip)(
    "cuts a window that does not divide evenly so that its last bucket still reaches `to`",
    async () => {
      const answer = await activity(server, `${window}&buckets=7`);
      expect(answer.bucketMs).toBe(Math.ceil((24 * HOUR) / 7));
      expect(answer.buckets.map((b) => b.counts)).toEqual(expectedBuckets(7));
      expect(answer.total).toBe(RUNS);
    },
  );

  it.skipIf(skip)("starts at the oldest run without `from`, and counts task runs apart", async () => {
    const answer = await activity(server, `to=${new Date(TO).toISOString()}&buckets=24`);
    expect(answer.from).toBe(new Date(seedRun(0).time).toISOString());
    expect(answer.total).toBe(RUNS);
    const tasks = await activity(server, `${window}&buckets=24&kind=task`);
    expect(tasks.total).toBe(1);
    expect(tasks.buckets[23]!.counts).toEqual({ Running: 1 });
    const empty = await activity(server, `from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z&buckets=4`);
    expect(empty.total).toBe(0);
    expect(empty.buckets.every((b) => Object.keys(b.counts).length === 0)).toBe(true);
  });

  it.skipIf(skip)("answers the widest window the timestamps allow", async () => {
    const answer = await activity(server, "from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z&buckets=1000");
    expect(answer.total).toBe(RUNS);
    expect(answer.buckets).toHaveLength(1000);
  });

  it.skipIf(skip)("refuses hostile query parameters with a 400 that says what to send", async () => {
    const hostile = [
      "buckets=0",
      `buckets=${MAX_ACTIVITY_BUCKETS + 1}`,
      "buckets=-5",
      "buckets=1.5",
      "buckets=abc",
      "buckets=1e400",
      "buckets=1&buckets=2",
      "from=yesterday",
      "from=2026-02-31T00:00:00Z",
      "to=2026-12-04",
      `from=${new Date(TO).toISOString()}&to=${new Date(FROM).toISOString()}`,
      `from=${new Date(TO).toISOString()}&to=${new Date(TO).toISOString()}`,
      "kind=deployment",
      `from=${"9".repeat(5000)}`,
      "from=%00",
    ];
    for (const query of hostile) {
      const answer = await server.call("GET", `/api/dashboard/activity?${query}`);
      expect(answer.status, query).toBe(400);
      expect((answer.body as { error: { code: string; message: string } }).error.message, query).toMatch(
        /buckets|from|to|kind/,
      );
    }
  });
});

describe("GET /api/dashboard/activity with an API key", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("sqlite", { apiKey: "s3cret" });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("stays readable without the key, like every dashboard read, and refuses writes to it without one", async () => {
    const open = await server.call("GET", "/api/dashboard/activity?buckets=4");
    expect(open.status).toBe(200);
    expect((open.body as Activity).buckets).toHaveLength(4);
    const wrong = await server.call("GET", "/api/dashboard/activity?buckets=4", undefined, {
      authorization: "Bearer nope",
    });
    expect(wrong.status).toBe(200);
    const write = await server.call("POST", "/api/dashboard/activity", {});
    expect(write.status).toBe(401);
  });
});

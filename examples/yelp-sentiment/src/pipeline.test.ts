import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { connect } from "@weir/stream";
import type { Stream, StreamEvent, SubscribeOptions, Subscription } from "@weir/stream";
import { probeSharedFile, requireService } from "@weir/test-support";
import { afterAll, afterEach, describe, expect, it } from "vitest";

import { learnFromStream } from "./learn-from-stream.js";
import type { CheckpointStore, SubscriberCheckpoint } from "./learn-from-stream.js";
import { monitorMetrics } from "./monitor-metrics.js";
import { publishReviews } from "./publish-reviews.js";
import type { MetricsEvent } from "./topics.js";

const yelp = await requireService("shared data/yelp.csv", () => probeSharedFile("data/yelp.csv"));
const RIVER = { precision: 0.7507002801120448, recall: 0.7184986595174263 };

const dir = mkdtempSync(join(tmpdir(), "weir-yelp-pipeline-"));
/** The loop reports restores, stale checkpoints and gaps to the run logger; these tests assert them through hooks. */
const quiet = { info: () => undefined, warn: () => undefined };
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const streams: Stream[] = [];
afterEach(async () => {
  await Promise.all(streams.splice(0).map((stream) => stream.close()));
});

async function memory(): Promise<Stream> {
  const stream = await connect({ url: `memory:${randomUUID()}` });
  streams.push(stream);
  return stream;
}

/** A checkpoint store in memory that keeps every checkpoint saved (as JSON, like the server), newest last. */
function memoryCheckpoints(): CheckpointStore & { saved: SubscriberCheckpoint[] } {
  const saved: SubscriberCheckpoint[] = [];
  return {
    saved,
    load: () =>
      Promise.resolve(saved.at(-1) && (JSON.parse(JSON.stringify(saved.at(-1))) as SubscriberCheckpoint)),
    save: (_key, checkpoint) => {
      saved.push(JSON.parse(JSON.stringify(checkpoint)) as SubscriberCheckpoint);
      return Promise.resolve();
    },
  };
}

/** Reads a whole topic from the start with an ephemeral reader. */
async function readAll<T>(
  stream: Stream,
  topic: string,
  count: number,
): Promise<{ offset: number; data: T }[]> {
  const events: { offset: number; data: T }[] = [];
  const controller = new AbortController();
  for await (const event of stream.subscribe(topic, { from: "earliest", signal: controller.signal })) {
    events.push({ offset: event.offset, data: event.json<T>() });
    await event.ack();
    if (events.length >= count) controller.abort();
  }
  return events;
}

/** Runs the subscriber until its checkpoint covers `offset`, then stops it cleanly. */
async function learnUntil(stream: Stream, checkpoints: CheckpointStore, offset: number, extra = {}) {
  const controller = new AbortController();
  return learnFromStream({
    stream,
    checkpoints,
    checkpointEvery: 100,
    checkpointIntervalMs: 50,
    signal: controller.signal,
    logger: quiet,
    onCheckpoint: (checkpoint) => {
      if (checkpoint.lastOffset >= offset) controller.abort();
    },
    ...extra,
  });
}

describe.skipIf(yelp.skip)("the application's loop on the memory backend", () => {
  it("reproduces River's precision and recall and the monitor's 44 + 190 warnings on yelp.csv", async () => {
    const stream = await memory();
    await stream.ensureTopic("river_pipeline");
    await stream.ensureTopic("river_metrics");
    const summary = await publishReviews({ stream, path: yelp.value!, keyPrefix: "run-1" });
    expect(summary).toMatchObject({ published: 750, malformedCount: 0 });

    const result = await learnUntil(stream, memoryCheckpoints(), summary.lastOffset);
    expect(result.learned).toBe(750);
    expect(result.model.scores()).toEqual([RIVER.precision, RIVER.recall]);

    const metrics = await readAll<MetricsEvent>(stream, "river_metrics", 750);
    expect(metrics.map((m) => m.data.n)).toEqual(Array.from({ length: 750 }, (_, i) => i + 1));
    expect(metrics[0]?.data).toMatchObject({ precision: 0, recall: 0 });
    expect(metrics.at(-1)?.data).toMatchObject(RIVER);

    const warnings: string[] = [];
    const controller = new AbortController();
    const monitor = await monitorMetrics({
      stream,
      threshold: 0.6,
      warn: (message) => warnings.push(message),
      onMetrics: (m) => {
        if (m.n === 750) controller.abort();
      },
      signal: controller.signal,
    });
    expect(monitor.events).toBe(750);
    expect(warnings.filter((w) => w.startsWith("Precision is below threshold: ")).length).toBe(44);
    expect(warnings.filter((w) => w.startsWith("Recall is below threshold: ")).length).toBe(190);
    expect(warnings[0]).toBe("Precision is below threshold: 0.0");
  });

  it("learns every event exactly once when checkpoints fail mid-stream and the subscriber restarts", async () => {
    const reference = await memory();
    await reference.ensureTopic("river_pipeline");
    await reference.ensureTopic("river_metrics");
    await publishReviews({ stream: reference, path: yelp.value!, keyPrefix: "ref" });
    const uninterrupted = await learnUntil(reference, memoryCheckpoints(), 750);
    const expected = await readAll<MetricsEvent>(reference, "river_metrics", 750);

    const stream = await memory();
    await stream.ensureTopic("river_pipeline");
    await stream.ensureTopic("river_metrics");
    await publishReviews({ stream, path: yelp.value!, keyPrefix: "crashy" });
    const checkpoints = memoryCheckpoints();
    // Three "crashes": the save after the metrics of a batch were published fails, the loop
    // dies without acknowledging, and a new subscriber restarts from the last good checkpoint.
    for (const failAt of [2, 3, 1]) {
      let saves = 0;
      const failing: CheckpointStore = {
        load: (key) => checkpoints.load(key),
        save: (key, checkpoint) =>
          ++saves === failAt ? Promise.reject(new Error("crash")) : checkpoints.save(key, checkpoint),
      };
      await expect(learnUntil(stream, failing, 750, { ackWaitMs: 100 })).rejects.toThrow("crash");
    }
    const resumed = await learnUntil(stream, checkpoints, 750);
    expect(resumed.model.toJSON()).toEqual(uninterrupted.model.toJSON());
    expect(checkpoints.saved.length).toBeGreaterThan(3);
    expect((await stream.topicInfo("river_metrics")).eventCount).toBe(750);
    const metrics = await readAll<MetricsEvent>(stream, "river_metrics", 750);
    expect(metrics.map((m) => m.data)).toEqual(
      expected.map((m) => ({ ...m.data, sourceAt: expect.any(Number) as unknown })),
    );
  });
});

describe.skipIf(yelp.skip)("learnFromStream with a slow checkpoint store", () => {
  it("keeps learning while a checkpoint is saved and acknowledges only what a saved checkpoint covers", async () => {
    const stream = await memory();
    await stream.ensureTopic("river_pipeline");
    await stream.ensureTopic("river_metrics");
    await publishReviews({ stream, path: yelp.value!, keyPrefix: "slow" });
    const saved: number[] = [];
    let release!: () => void;
    const firstSave = new Promise<void>((resolve) => (release = resolve));
    const checkpoints: CheckpointStore = {
      load: () => Promise.resolve(undefined),
      save: async (_key, checkpoint) => {
        if (saved.length === 0) await firstSave;
        saved.push(checkpoint.lastOffset);
      },
    };
    let learned = 0;
    const controller = new AbortController();
    const acked = async (): Promise<number> =>
      (await stream.topicInfo("river_pipeline")).groups.find((g) => g.name === "sentiment-model")
        ?.ackedOffset ?? 0;
    const running = learnFromStream({
      stream,
      checkpoints,
      checkpointEvery: 100,
      checkpointIntervalMs: 60_000,
      signal: controller.signal,
      onStep: () => (learned += 1),
      onCheckpoint: (checkpoint) => {
        if (checkpoint.lastOffset === 750) controller.abort();
      },
    });
    for (let i = 0; i < 500 && learned < 750; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    // Every review is learned while the first checkpoint (of 100 events) is still being saved…
    expect(learned).toBe(750);
    expect(saved).toEqual([]);
    // …and none is acknowledged before a checkpoint covering it is saved.
    expect(await acked()).toBe(0);
    release();
    const result = await running;
    // The second checkpoint covers everything learned meanwhile.
    expect(saved).toEqual([100, 750]);
    expect(result).toMatchObject({ learned: 750, lastOffset: 750 });
    expect(await acked()).toBe(750);
    expect(result.model.scores()).toEqual([RIVER.precision, RIVER.recall]);
  });
});

/** A stream whose subscriptions deliver each 10th event (of the first 700) late, behind the next five. */
function reordering(stream: Stream): Stream {
  const subscribe = (topic: string, options?: SubscribeOptions): Subscription => {
    const inner = stream.subscribe(topic, options);
    async function* shuffled(): AsyncGenerator<StreamEvent> {
      const late: StreamEvent[] = [];
      let count = 0;
      for await (const event of inner) {
        count += 1;
        if (count % 10 === 0 && count < 700) late.push(event);
        else yield event;
        if (late.length > 0 && count % 10 === 5) yield late.shift()!;
      }
      yield* late;
    }
    return Object.assign(shuffled(), {
      topic,
      group: options?.group,
      topicId: inner.topicId,
      close: () => inner.close(),
    });
  };
  return new Proxy(stream, {
    get: (target, property) => {
      if (property === "subscribe") return subscribe;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe.skipIf(yelp.skip)("learnFromStream with out-of-order deliveries", () => {
  it("learns in offset order, so the numbers are still River's", async () => {
    const stream = await memory();
    await stream.ensureTopic("river_pipeline");
    await stream.ensureTopic("river_metrics");
    await publishReviews({ stream, path: yelp.value!, keyPrefix: "late" });
    const result = await learnUntil(reordering(stream), memoryCheckpoints(), 750);
    expect(result.learned).toBe(750);
    expect(result.model.scores()).toEqual([RIVER.precision, RIVER.recall]);
  });
});

/** A CSV of `count` labelled reviews (alternating labels), written to the test's folder. */
function reviewsFile(name: string, count: number): string {
  const lines = ["text,sentiment"];
  for (let i = 0; i < count; i += 1)
    lines.push(i % 2 === 0 ? `"Great food, review ${i}",1` : `"Cold and rude, review ${i}",0`);
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

describe("learnFromStream after its input topic was deleted and created again", () => {
  /** Runs the subscriber until a checkpoint covers `offset`, or for 10 s at most. */
  async function learnAtMost(stream: Stream, checkpoints: CheckpointStore, offset: number, extra = {}) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    try {
      return await learnFromStream({
        stream,
        checkpoints,
        checkpointEvery: 10,
        checkpointIntervalMs: 50,
        signal: controller.signal,
        logger: quiet,
        onCheckpoint: (checkpoint) => {
          if (checkpoint.lastOffset >= offset) controller.abort();
        },
        ...extra,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  async function recreated(): Promise<{ stream: Stream; checkpoints: ReturnType<typeof memoryCheckpoints> }> {
    const stream = await memory();
    await stream.ensureTopic("river_pipeline");
    await stream.ensureTopic("river_metrics");
    await publishReviews({ stream, path: reviewsFile("old.csv", 50), keyPrefix: "old" });
    const checkpoints = memoryCheckpoints();
    const first = await learnAtMost(stream, checkpoints, 50);
    expect(first.learned).toBe(50);
    await stream.deleteTopic("river_pipeline");
    await stream.ensureTopic("river_pipeline");
    await publishReviews({ stream, path: reviewsFile("new.csv", 30), keyPrefix: "new" });
    return { stream, checkpoints };
  }

  it("sets aside a checkpoint made for the old topic and learns every new event, publishing its metrics", async () => {
    const { stream, checkpoints } = await recreated();
    const old = checkpoints.saved.at(-1);
    const topicId = (await stream.topicInfo("river_pipeline")).topicId;
    expect(old).toMatchObject({ lastOffset: 50 });
    expect(old?.topicId).not.toBe(topicId);
    const stale: [number, string | undefined, string][] = [];
    const restored: number[] = [];
    const result = await learnAtMost(stream, checkpoints, 30, {
      onStaleCheckpoint: (checkpoint: SubscriberCheckpoint, now: string) =>
        stale.push([checkpoint.lastOffset, checkpoint.topicId, now]),
      onRestore: (checkpoint: SubscriberCheckpoint) => restored.push(checkpoint.lastOffset),
    });
    expect(stale).toEqual([[50, old?.topicId, topicId]]);
    expect(restored).toEqual([]);
    expect(result).toMatchObject({ learned: 30, lastOffset: 30, skipped: 0 });
    expect(result.model.count).toBe(30);
    expect(checkpoints.saved.at(-1)).toMatchObject({ lastOffset: 30, topicId });
    // The metrics of the new offsets 1–30 are new events, not duplicates of the old topic's.
    expect((await stream.topicInfo("river_metrics")).eventCount).toBe(80);
    const metrics = await readAll<MetricsEvent>(stream, "river_metrics", 80);
    expect(metrics.slice(50).map((m) => [m.data.offset, m.data.n])).toEqual(
      Array.from({ length: 30 }, (_, i) => [i + 1, i + 1]),
    );
    const group = (await stream.topicInfo("river_pipeline")).groups.find((g) => g.name === "sentiment-model");
    expect(group?.ackedOffset).toBe(30);
  });

  it("fails without touching the checkpoint when asked to, naming both incarnations", async () => {
    const { stream, checkpoints } = await recreated();
    const before = checkpoints.saved.length;
    const topicId = (await stream.topicInfo("river_pipeline")).topicId;
    const error = (await learnAtMost(stream, checkpoints, 30, { staleCheckpoint: "fail" }).catch(
      (e: unknown) => e,
    )) as Error & { code: string };
    expect(error.code).toBe("WEIR_FLOW_CHECKPOINT");
    expect(error.message).toContain('made for another incarnation of topic "river_pipeline"');
    expect(error.message).toContain(topicId);
    expect(checkpoints.saved.length).toBe(before);
    const group = (await stream.topicInfo("river_pipeline")).groups.find((g) => g.name === "sentiment-model");
    expect(group?.ackedOffset ?? 0).toBe(0);
  });

  it("takes up a checkpoint saved before checkpoints named their topic, unless it is ahead of the topic", async () => {
    const stream = await memory();
    await stream.ensureTopic("river_pipeline");
    await stream.ensureTopic("river_metrics");
    await publishReviews({ stream, path: reviewsFile("legacy-1.csv", 20), keyPrefix: "legacy-1" });
    const checkpoints = memoryCheckpoints();
    await learnAtMost(stream, checkpoints, 20);
    await publishReviews({ stream, path: reviewsFile("legacy-2.csv", 20), keyPrefix: "legacy-2" });
    const { topicId: _, ...legacy } = checkpoints.saved.at(-1) as SubscriberCheckpoint;
    expect(legacy.lastOffset).toBe(20);
    checkpoints.saved.push(legacy);
    const restored: number[] = [];
    const resumed = await learnAtMost(stream, checkpoints, 40, {
      onRestore: (checkpoint: SubscriberCheckpoint) => restored.push(checkpoint.lastOffset),
    });
    expect(restored).toEqual([20]);
    expect(resumed).toMatchObject({ learned: 20, lastOffset: 40 });

    checkpoints.saved.push({ ...legacy, lastOffset: 41 });
    const stale: number[] = [];
    const fresh = await learnAtMost(stream, checkpoints, 40, {
      group: "another",
      onStaleCheckpoint: (checkpoint: SubscriberCheckpoint) => stale.push(checkpoint.lastOffset),
    });
    expect(stale).toEqual([41]);
    expect(fresh).toMatchObject({ learned: 40, lastOffset: 40 });
  });

  it("takes up a checkpoint saved before the subscriber used consume(), which named the model `model`", async () => {
    const stream = await memory();
    await stream.ensureTopic("river_pipeline");
    await stream.ensureTopic("river_metrics");
    await publishReviews({ stream, path: reviewsFile("before-1.csv", 20), keyPrefix: "before-1" });
    const checkpoints = memoryCheckpoints();
    const first = await learnAtMost(stream, checkpoints, 20);
    await publishReviews({ stream, path: reviewsFile("before-2.csv", 20), keyPrefix: "before-2" });
    const { state, ...rest } = checkpoints.saved.at(-1) as SubscriberCheckpoint;
    checkpoints.saved.push({ ...rest, model: state } as unknown as SubscriberCheckpoint);
    const restored: number[] = [];
    const resumed = await learnAtMost(stream, checkpoints, 40, {
      onRestore: (checkpoint: SubscriberCheckpoint) => restored.push(checkpoint.lastOffset),
    });
    expect(restored).toEqual([20]);
    expect(resumed).toMatchObject({ learned: 20, lastOffset: 40 });
    expect(resumed.model.count).toBe(first.model.count + 20);
  });
});

describe("publishReviews on the memory backend", () => {
  it("publishes every good row in file order and reports each malformed one (5%)", async () => {
    const lines = ["text,sentiment"];
    const bad: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      if (i % 20 === 3) {
        lines.push(i % 40 === 3 ? ",1" : `"unclosed ${i},0`);
        bad.push(lines.length);
      } else lines.push(`"Row ${i}, fine",${i % 2}`);
    }
    const path = join(dir, "five-percent.csv");
    writeFileSync(path, `${lines.join("\n")}\n`);
    const stream = await memory();
    await stream.ensureTopic("river_pipeline");
    const reported: number[] = [];
    const summary = await publishReviews({
      stream,
      path,
      keyPrefix: "p",
      onMalformed: (row) => reported.push(row.line),
    });
    expect(reported).toEqual(bad);
    expect(summary).toMatchObject({ published: 190, malformedCount: 10 });
    const events = await readAll<{ text: string; line: number }>(stream, "river_pipeline", 190);
    expect(events.map((e) => e.data.text)).toEqual(
      Array.from({ length: 200 }, (_, i) => i)
        .filter((i) => i % 20 !== 3)
        .map((i) => `Row ${i}, fine`),
    );
  });

  it.each([
    ["in batches", undefined],
    ["paced", 2000],
  ])(
    "sets aside a row too large for one event, with its line and size, and publishes the others (%s)",
    async (_, rate) => {
      const lines = ["text,sentiment"];
      for (let i = 0; i < 40; i += 1)
        lines.push(i === 4 ? `${"x".repeat(2 * 1024 * 1024)},1` : `Row ${i},${i % 2}`);
      const path = join(dir, `oversize-${rate ?? "batch"}.csv`);
      writeFileSync(path, `${lines.join("\n")}\n`);
      const stream = await memory();
      await stream.ensureTopic("river_pipeline");
      const reported: { line: number; reason: string }[] = [];
      const summary = await publishReviews({
        stream,
        path,
        keyPrefix: "p",
        ...(rate === undefined ? {} : { rate }),
        onMalformed: (row) => reported.push({ line: row.line, reason: row.reason }),
      });
      expect(reported).toEqual([
        {
          line: 6,
          reason: expect.stringMatching(
            /^too large to publish: 2,097,\d{3} bytes as an event, over the limit of 1,048,576 bytes/,
          ) as unknown,
        },
      ]);
      expect(summary).toMatchObject({ published: 39, malformedCount: 1 });
      const events = await readAll<{ line: number }>(stream, "river_pipeline", 39);
      expect(events.map((e) => e.data.line)).toEqual(
        Array.from({ length: 40 }, (_, i) => i + 2).filter((line) => line !== 6),
      );
    },
  );

  it("counts and reports the rows it publishes with U+FFFD when replacements are allowed", async () => {
    const path = join(dir, "latin1.csv");
    writeFileSync(
      path,
      Buffer.concat([Buffer.from("text,sentiment\nok,1\ncaf"), Buffer.from([0xe9]), Buffer.from(",0\n")]),
    );
    const stream = await memory();
    await stream.ensureTopic("river_pipeline");
    const replaced: number[] = [];
    const strict = await publishReviews({ stream, path, keyPrefix: "strict" });
    expect(strict).toMatchObject({ published: 1, malformedCount: 1, replaced: 0 });
    const allowed = await publishReviews({
      stream,
      path,
      keyPrefix: "allowed",
      allowReplacement: true,
      onReplacement: (review) => replaced.push(review.line),
    });
    expect(allowed).toMatchObject({ published: 2, malformedCount: 0, replaced: 1 });
    expect(replaced).toEqual([3]);
    const events = await readAll<{ text: string }>(stream, "river_pipeline", 3);
    expect(events.map((e) => e.data.text)).toEqual(["ok", "ok", "caf\uFFFD"]);
  });

  it("stores each row once when a retried run publishes again with the same key prefix", async () => {
    const stream = await memory();
    await stream.ensureTopic("river_pipeline");
    const path = join(dir, "small.csv");
    writeFileSync(path, "text,sentiment\nGood soup,1\nCold soup,0\n");
    await publishReviews({ stream, path, keyPrefix: "run-7" });
    const again = await publishReviews({ stream, path, keyPrefix: "run-7" });
    expect(again.duplicates).toBe(2);
    expect((await stream.topicInfo("river_pipeline")).eventCount).toBe(2);
  });
});

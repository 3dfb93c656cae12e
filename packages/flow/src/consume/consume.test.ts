import { randomUUID } from "node:crypto";

import { connect } from "@weir/stream";
import type { Stream, StreamEvent, SubscribeOptions, Subscription } from "@weir/stream";
import { afterEach, describe, expect, it } from "vitest";

import { consume } from "./consume.js";
import type { ConsumeCheckpoint, ConsumeCheckpointStore } from "./consume-checkpoint.js";
import type { ConsumeOptions, ConsumeResult, HandleContext } from "./consume-options.js";

const streams: Stream[] = [];
afterEach(async () => {
  await Promise.all(streams.splice(0).map((stream) => stream.close()));
});

async function memory(topics: string[] = ["numbers"]): Promise<Stream> {
  const stream = await connect({ url: `memory:${randomUUID()}` });
  streams.push(stream);
  for (const topic of topics) await stream.ensureTopic(topic);
  return stream;
}

/** Publishes `{ n }` for each n in `from..to`. */
async function publishNumbers(stream: Stream, from: number, to: number, topic = "numbers"): Promise<void> {
  const events = Array.from({ length: to - from + 1 }, (_, i) => ({ data: { n: from + i } }));
  await stream.publish(topic, events);
}

/** Checkpoints kept in memory (as JSON, like the server), with every save attempted. */
function memoryStore(): ConsumeCheckpointStore & {
  values: Map<string, ConsumeCheckpoint>;
  attempts: number[];
  failAt?: number;
} {
  const values = new Map<string, ConsumeCheckpoint>();
  const attempts: number[] = [];
  const store = {
    values,
    attempts,
    failAt: undefined as number | undefined,
    load: (key: string) => Promise.resolve(values.get(key) && structuredClone(values.get(key))),
    save: (key: string, value: ConsumeCheckpoint) => {
      attempts.push(value.lastOffset);
      if (attempts.length === store.failAt) return Promise.reject(new Error("the store is down"));
      values.set(key, JSON.parse(JSON.stringify(value)) as ConsumeCheckpoint);
      return Promise.resolve();
    },
  };
  return store;
}

/** The state of these tests: every offset handled, in the order handled, and a sum. */
interface Tally {
  offsets: number[];
  sum: number;
}

const quiet = { messages: [] as string[], info: () => undefined, warn: () => undefined };
function logger(): { messages: string[]; info(m: string): void; warn(m: string): void } {
  const messages: string[] = [];
  return { messages, info: (m) => messages.push(`info: ${m}`), warn: (m) => messages.push(`warn: ${m}`) };
}

const acked = async (stream: Stream, group = "tally", topic = "numbers"): Promise<number> =>
  (await stream.topicInfo(topic)).groups.find((g) => g.name === group)?.ackedOffset ?? 0;

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

type TallyOptions = Partial<ConsumeOptions<Tally, { n: number }>>;

interface Tallying {
  readonly done: Promise<ConsumeResult<Tally>>;
  /** Events handled so far by this run. */
  handled(): number;
  stop(): void;
}

/**
 * Consumes `numbers` into a Tally (checkpoint every 10 events, the interval out of the way). It stops
 * after `stopAt.handled` events or once a checkpoint covers `stopAt.checkpointAt`.
 */
function tally(
  stream: Stream,
  checkpoints: ConsumeCheckpointStore,
  stopAt: { handled?: number; checkpointAt?: number } = {},
  extra: TallyOptions = {},
): Tallying {
  const controller = new AbortController();
  let handled = 0;
  const done = consume<Tally, { n: number }>({
    stream,
    topic: "numbers",
    group: "tally",
    checkpoints,
    state: { offsets: [], sum: 0 },
    checkpointEvery: 10,
    checkpointIntervalMs: 60_000,
    signal: controller.signal,
    logger: quiet,
    handle: (data, state, { event }) => {
      state.offsets.push(event.offset);
      state.sum += data.n;
      if (++handled === stopAt.handled) controller.abort();
    },
    onCheckpoint: (checkpoint) => {
      if (checkpoint.lastOffset >= (stopAt.checkpointAt ?? Infinity)) controller.abort();
    },
    ...extra,
  });
  return { done, handled: () => handled, stop: () => controller.abort() };
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("consume: order and acknowledgement", () => {
  it("hands every event once, in offset order, even when the stream delivers them out of order", async () => {
    const stream = await memory();
    await publishNumbers(stream, 1, 100);
    const result = await tally(reordering(stream), memoryStore(), { handled: 100 }).done;
    expect(result.state.offsets).toEqual(range(1, 100));
    expect(result).toMatchObject({ handled: 100, lastOffset: 100, skipped: 0, invalid: 0 });
  });

  it("acknowledges only what a stored checkpoint covers, and goes on handling while one is saved", async () => {
    const stream = await memory();
    await publishNumbers(stream, 1, 95);
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const store = memoryStore();
    const slow: ConsumeCheckpointStore = {
      load: (key) => store.load(key),
      save: async (key, value) => {
        if (store.attempts.length === 0) {
          store.attempts.push(value.lastOffset);
          await blocked;
          store.values.set(key, value);
          return;
        }
        return store.save(key, value);
      },
    };
    const run = tally(stream, slow, { checkpointAt: 95 });
    await until(() => run.handled() === 95, "every event handled");
    // Every event is handled while the first checkpoint (of 10 events) is still being saved…
    expect(store.attempts).toEqual([10]);
    // …and none is acknowledged before a checkpoint covering it is stored.
    expect(await acked(stream)).toBe(0);
    release();
    const result = await run.done;
    // The second checkpoint covers everything handled meanwhile.
    expect(store.attempts).toEqual([10, 95]);
    expect(result.lastOffset).toBe(95);
    expect(await acked(stream)).toBe(95);
  });
});

describe("consume: when checkpoints are taken", () => {
  it("checkpoints every N events", async () => {
    const stream = await memory();
    const store = memoryStore();
    const run = tally(stream, store);
    await publishNumbers(stream, 1, 10);
    await until(() => store.attempts.length === 1, "the first checkpoint");
    expect(store.attempts).toEqual([10]);
    await publishNumbers(stream, 11, 19);
    await until(() => run.handled() === 19, "19 events handled");
    // 9 events wait, one short of a checkpoint (the interval is a minute).
    expect(store.attempts).toEqual([10]);
    await publishNumbers(stream, 20, 20);
    await until(() => store.attempts.length === 2, "the second checkpoint");
    expect(store.attempts).toEqual([10, 20]);
    run.stop();
    expect((await run.done).lastOffset).toBe(20);
  });

  it("checkpoints what waits once the oldest of it is T old, without more events arriving", async () => {
    const stream = await memory();
    const store = memoryStore();
    const run = tally(stream, store, {}, { checkpointEvery: 1000, checkpointIntervalMs: 100 });
    await publishNumbers(stream, 1, 3);
    await until(() => store.attempts.length === 1, "a checkpoint by time");
    expect(store.attempts).toEqual([3]);
    expect(await acked(stream)).toBe(3);
    run.stop();
    await run.done;
  });

  it("saves a last checkpoint of everything handled after the signal stopped the loop", async () => {
    const stream = await memory();
    await publishNumbers(stream, 1, 7);
    const store = memoryStore();
    const signalled: boolean[] = [];
    const controller = new AbortController();
    const run = tally(
      stream,
      {
        load: (key) => store.load(key),
        save: (key, value) => {
          signalled.push(controller.signal.aborted);
          return store.save(key, value);
        },
      },
      {},
      { checkpointEvery: 1000, signal: controller.signal },
    );
    await until(() => run.handled() === 7, "7 events handled");
    expect(store.attempts).toEqual([]);
    controller.abort();
    const result = await run.done;
    expect(signalled).toEqual([true]);
    expect(store.values.get("tally:numbers")).toMatchObject({ lastOffset: 7, state: { sum: 28 } });
    expect(result).toMatchObject({ lastOffset: 7, handled: 7 });
    expect(await acked(stream)).toBe(7);
  });

  it("resolves at once with the stored checkpoint's state when its signal is already aborted", async () => {
    const stream = await memory();
    await publishNumbers(stream, 1, 5);
    const store = memoryStore();
    await tally(stream, store, { handled: 5 }).done;
    const controller = new AbortController();
    controller.abort();
    const result = await tally(stream, store, {}, { signal: controller.signal }).done;
    expect(result).toMatchObject({ lastOffset: 5, handled: 0, state: { sum: 15 } });
  });
});

describe("consume: crashes and restarts", () => {
  it("stops when a checkpoint fails mid-stream, acknowledges nothing it did not store, and the next run handles every event exactly once", async () => {
    const stream = await memory();
    await publishNumbers(stream, 1, 45);
    const store = memoryStore();
    store.failAt = 2;
    const failed = await tally(stream, store, { checkpointAt: 45 }).done.catch((e: unknown) => e);
    expect((failed as Error).message).toBe("the store is down");
    expect(store.values.get("tally:numbers")?.lastOffset).toBe(10);
    expect(await acked(stream)).toBe(10);

    store.failAt = undefined;
    const resumed = await tally(stream, store, { handled: 35 }).done;
    expect(resumed.state.offsets).toEqual(range(1, 45));
    expect(resumed.state.sum).toBe((45 * 46) / 2);
    expect(resumed.handled).toBe(35);
    expect(await acked(stream)).toBe(45);
  });

  it("skips redelivered events at or below the checkpoint's offset after a restart", async () => {
    const stream = await memory();
    await publishNumbers(stream, 1, 30);
    const store = memoryStore();
    // The checkpoint of 1–20 is stored, but the process dies before it acknowledges them.
    const dying: ConsumeCheckpointStore = {
      load: (key) => store.load(key),
      save: async (key, value) => {
        await store.save(key, value);
        if (value.lastOffset === 20) throw new Error("killed after the save");
      },
    };
    await expect(tally(stream, dying, {}).done).rejects.toThrow("killed after the save");
    expect(await acked(stream)).toBe(10);

    const restored: number[] = [];
    const resumed = await tally(
      stream,
      store,
      { checkpointAt: 30 },
      {
        onRestore: (checkpoint) => restored.push(checkpoint.lastOffset),
      },
    ).done;
    expect(restored).toEqual([20]);
    expect(resumed.skipped).toBe(10);
    expect(resumed.handled).toBe(10);
    expect(resumed.state.offsets).toEqual(range(1, 30));
  });

  it("stops on a handler's error without checkpointing what it half did; the next run starts from the last checkpoint", async () => {
    const stream = await memory();
    await publishNumbers(stream, 1, 25);
    const store = memoryStore();
    const failing = tally(
      stream,
      store,
      {},
      {
        handle: (data, state, { event }) => {
          state.offsets.push(event.offset);
          if (event.offset === 17) throw new Error("bug at 17");
          state.sum += data.n;
        },
      },
    );
    await expect(failing.done).rejects.toThrow("bug at 17");
    expect(store.attempts).toEqual([10]);
    expect(await acked(stream)).toBe(10);
    const resumed = await tally(stream, store, { handled: 15 }).done;
    expect(resumed.state.offsets).toEqual(range(1, 25));
    expect(resumed.state.sum).toBe((25 * 26) / 2);
  });

  it("publishes the handler's events with idempotency keys <topic>:<topicId>:<offset>, so a replay stores them once", async () => {
    const stream = await memory(["numbers", "squares"]);
    await publishNumbers(stream, 1, 30);
    const topicId = (await stream.topicInfo("numbers")).topicId;
    const square = (data: { n: number }, state: Tally, { event, publish }: HandleContext): void => {
      state.offsets.push(event.offset);
      state.sum += data.n;
      publish("squares", { data: { n: data.n, square: data.n * data.n } });
    };
    const keys: string[] = [];
    const store = memoryStore();
    store.failAt = 3; // the checkpoint of 21–30 fails after their squares were published
    await expect(
      tally(
        stream,
        store,
        {},
        {
          handle: (data, state, context) => {
            keys.push(context.key);
            square(data, state, context);
          },
        },
      ).done,
    ).rejects.toThrow("the store is down");
    expect((await stream.topicInfo("squares")).eventCount).toBe(30);
    expect(keys.slice(0, 2)).toEqual([`numbers:${topicId}:1`, `numbers:${topicId}:2`]);

    await tally(stream, store, { checkpointAt: 30 }, { handle: square }).done;
    expect((await stream.topicInfo("squares")).eventCount).toBe(30);
  });

  it("stops when a publish fails, before a checkpoint could cover the event", async () => {
    const stream = await memory();
    await publishNumbers(stream, 1, 5);
    const store = memoryStore();
    const result = tally(
      stream,
      store,
      {},
      {
        handle: (_data, _state, { publish }) => publish("no_such_topic", { data: 1 }),
      },
    );
    await expect(result.done).rejects.toMatchObject({ code: "WEIR_TOPIC_NOT_FOUND" });
    expect(store.attempts).toEqual([]);
    expect(await acked(stream)).toBe(0);
  });
});

describe("consume: state", () => {
  /** Shaped like a `@weir/learn` model: `toJSON()` and a static `fromJSON()`. */
  class Sum {
    constructor(public total = 0) {}
    toJSON(): { total: number } {
      return { total: this.total };
    }
    static fromJSON(json: unknown): Sum {
      return new Sum((json as { total: number }).total);
    }
  }

  it("restores a model from its checkpoint with its class's fromJSON() after a restart", async () => {
    const stream = await memory();
    await publishNumbers(stream, 1, 10);
    const store = memoryStore();
    const sum = (stopAt: { checkpointAt: number }) => {
      const controller = new AbortController();
      return consume({
        stream,
        topic: "numbers",
        group: "sum",
        checkpoints: store,
        state: new Sum(),
        checkpointEvery: 10,
        signal: controller.signal,
        logger: quiet,
        handle: (data: { n: number }, state) => void (state.total += data.n),
        onCheckpoint: (checkpoint) => {
          if (checkpoint.lastOffset >= stopAt.checkpointAt) controller.abort();
        },
      });
    };
    await sum({ checkpointAt: 10 });
    expect(store.values.get("sum:numbers")?.state).toEqual({ total: 55 });
    await publishNumbers(stream, 11, 20);
    const resumed = await sum({ checkpointAt: 20 });
    expect(resumed.state).toBeInstanceOf(Sum);
    expect(resumed.state.total).toBe(210);
  });
});

describe("consume: deliveries", () => {
  it("skips offsets that never arrive within gapTimeoutMs, says so, and goes on", async () => {
    const stream = await memory();
    await publishNumbers(stream, 1, 6);
    const gaps: [number, number][] = [];
    const log = logger();
    const result = await tally(
      dropping(stream, [3, 4]),
      memoryStore(),
      { handled: 4 },
      {
        gapTimeoutMs: 100,
        logger: log,
        onGap: (from, to) => gaps.push([from, to]),
      },
    ).done;
    expect(gaps).toEqual([[3, 4]]);
    expect(log.messages).toContain(
      'warn: Offsets 3–4 of "numbers" never arrived; skipped them (removed by retention, or dead-lettered?)',
    );
    expect(result.state.offsets).toEqual([1, 2, 5, 6]);
    expect(result.lastOffset).toBe(6);
  });

  it("reads the topic from the start in its group, and never lets the stream dead-letter an event", async () => {
    const stream = await memory();
    await publishNumbers(stream, 1, 2);
    const seen: (SubscribeOptions | undefined)[] = [];
    const spying = withSubscribe(stream, undefined, seen);
    await tally(spying, memoryStore(), { handled: 2 }).done;
    expect(seen).toEqual([expect.objectContaining({ group: "tally", from: "earliest" })]);
    // Redeliveries are crash replays and events handed back for offset order, never bad events.
    expect(seen[0]?.maxDeliver).toBeGreaterThanOrEqual(1_000_000);
  });
});

describe("consume: payloads", () => {
  it("skips, counts, reports and acknowledges events that decode refuses", async () => {
    const stream = await memory();
    await stream.publish("numbers", [
      { data: { n: 1 } },
      { data: "not json", mimetype: "text/plain" },
      { data: { n: "two" } },
      { data: { n: 4 } },
    ]);
    const invalid: [number, string][] = [];
    const log = logger();
    const result = await tally(
      stream,
      memoryStore(),
      { checkpointAt: 4 },
      {
        checkpointIntervalMs: 50,
        logger: log,
        decode: (event) => {
          const data = event.json<{ n: unknown }>();
          if (typeof data.n !== "number") throw new Error('the payload has no numeric "n"');
          return data as { n: number };
        },
        onInvalid: (event, reason) => invalid.push([event.offset, reason]),
      },
    ).done;
    expect(invalid).toEqual([
      [2, expect.stringMatching(/JSON/) as unknown],
      [3, 'the payload has no numeric "n"'],
    ]);
    expect(log.messages).toContain('warn: Skipped the event at offset 3: the payload has no numeric "n"');
    expect(result).toMatchObject({ handled: 2, invalid: 2, lastOffset: 4, state: { sum: 5 } });
    expect(await acked(stream)).toBe(4);
  });

  it("refuses by default an event that is not JSON", async () => {
    const stream = await memory();
    await stream.publish("numbers", [{ data: "{oops", mimetype: "text/plain" }, { data: { n: 2 } }]);
    const reasons: string[] = [];
    const result = await tally(
      stream,
      memoryStore(),
      { handled: 1 },
      {
        onInvalid: (_event, reason) => reasons.push(reason),
      },
    ).done;
    expect(reasons).toEqual(["the payload is not JSON"]);
    expect(result).toMatchObject({ invalid: 1, handled: 1, lastOffset: 2 });
  });
});

describe("consume: a checkpoint made for another incarnation of the topic", () => {
  async function recreated(): Promise<{
    stream: Stream;
    store: ReturnType<typeof memoryStore>;
    old: ConsumeCheckpoint;
  }> {
    const stream = await memory();
    await publishNumbers(stream, 1, 20);
    const store = memoryStore();
    await tally(stream, store, { checkpointAt: 20 }).done;
    await stream.deleteTopic("numbers");
    await stream.ensureTopic("numbers");
    await publishNumbers(stream, 101, 112);
    return { stream, store, old: store.values.get("tally:numbers")! };
  }

  it("is set aside with a warning naming both incarnations, and the topic is consumed from the initial state", async () => {
    const { stream, store, old } = await recreated();
    const topicId = (await stream.topicInfo("numbers")).topicId;
    const stale: [number, string | undefined, string][] = [];
    const log = logger();
    const result = await tally(
      stream,
      store,
      { handled: 12 },
      {
        logger: log,
        onStaleCheckpoint: (checkpoint, now) => stale.push([checkpoint.lastOffset, checkpoint.topicId, now]),
        onRestore: () => stale.push([-1, "restored", ""]),
      },
    ).done;
    expect(stale).toEqual([[20, old.topicId, topicId]]);
    expect(log.messages.filter((m) => m.startsWith("warn:"))).toEqual([
      `warn: Checkpoint "tally:numbers" (up to offset 20) was made for another incarnation of topic "numbers" ` +
        `(topicId ${old.topicId}, now ${topicId}): the topic was deleted and created again, or the event log ` +
        "moved to a new data directory. Consuming it from the initial state.",
    ]);
    expect(result.state).toEqual({ offsets: range(1, 12), sum: range(101, 112).reduce((a, b) => a + b) });
    expect(store.values.get("tally:numbers")).toMatchObject({ lastOffset: 12, topicId });
  });

  it('is refused, and left as it is, with staleCheckpoint: "fail"', async () => {
    const { stream, store, old } = await recreated();
    const topicId = (await stream.topicInfo("numbers")).topicId;
    const error = (await tally(stream, store, {}, { staleCheckpoint: "fail" }).done.catch(
      (e: unknown) => e,
    )) as Error & { code: string };
    expect(error.code).toBe("WEIR_FLOW_CHECKPOINT");
    expect(error.message).toContain('made for another incarnation of topic "numbers"');
    expect(error.message).toContain(topicId);
    expect(store.values.get("tally:numbers")).toEqual(old);
    expect(await acked(stream)).toBe(0);
  });

  it("is taken up when saved before checkpoints named their topic, unless it is ahead of the topic", async () => {
    const stream = await memory();
    await publishNumbers(stream, 1, 10);
    const store = memoryStore();
    await tally(stream, store, { checkpointAt: 10 }).done;
    const { topicId: _, ...legacy } = store.values.get("tally:numbers")!;
    store.values.set("tally:numbers", legacy);
    await publishNumbers(stream, 11, 20);
    const restored: number[] = [];
    const resumed = await tally(
      stream,
      store,
      { checkpointAt: 20 },
      {
        onRestore: (checkpoint) => restored.push(checkpoint.lastOffset),
      },
    ).done;
    expect(restored).toEqual([10]);
    expect(resumed.state.offsets).toEqual(range(1, 20));

    store.values.set("other:numbers", { ...legacy, lastOffset: 21 });
    const stale: number[] = [];
    const fresh = await tally(
      stream,
      store,
      { checkpointAt: 20 },
      {
        group: "other",
        onStaleCheckpoint: (checkpoint) => stale.push(checkpoint.lastOffset),
      },
    ).done;
    expect(stale).toEqual([21]);
    expect(fresh.state.offsets).toEqual(range(1, 20));
  });
});

/** A stream whose subscriptions never deliver the events at `offsets`. */
function dropping(stream: Stream, offsets: number[]): Stream {
  return withSubscribe(stream, (inner) => {
    async function* filtered(): AsyncGenerator<StreamEvent> {
      for await (const event of inner) if (!offsets.includes(event.offset)) yield event;
    }
    return filtered();
  });
}

/** A stream whose subscriptions deliver each 10th event (of the first 94) late, behind the next five. */
function reordering(stream: Stream): Stream {
  return withSubscribe(stream, (inner) => {
    async function* shuffled(): AsyncGenerator<StreamEvent> {
      const late: StreamEvent[] = [];
      let count = 0;
      for await (const event of inner) {
        count += 1;
        if (count % 10 === 0 && count < 95) late.push(event);
        else yield event;
        if (late.length > 0 && count % 10 === 5) yield late.shift()!;
      }
      yield* late;
    }
    return shuffled();
  });
}

/**
 * `stream` with its subscriptions' deliveries rewritten by `deliveries`, and the options of each
 * subscribe call recorded in `subscribed`.
 */
function withSubscribe(
  stream: Stream,
  deliveries: (inner: Subscription) => AsyncIterable<StreamEvent> = async function* (inner) {
    yield* inner;
  },
  subscribed: (SubscribeOptions | undefined)[] = [],
): Stream {
  const subscribe = (topic: string, options?: SubscribeOptions): Subscription => {
    subscribed.push(options);
    const inner = stream.subscribe(topic, options);
    return Object.assign(deliveries(inner), {
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

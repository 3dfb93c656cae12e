import { randomUUID } from "node:crypto";

import { JetStreamApiError, jetstreamManager } from "@nats-io/jetstream";
import type { JetStreamManager } from "@nats-io/jetstream";
import { connect as natsConnect, errors } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { connect } from "@weir/stream";
import type { Stream, StreamEvent, Subscription } from "@weir/stream";
import { probeNats, requireService } from "@weir/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { classifyNatsError } from "./nats-errors.js";
import { DESCRIPTION_PREFIX, streamName, subjectOf } from "./nats-names.js";

const nats = await requireService("NATS JetStream", () => probeNats());

/** A JetStream API error as the client and the publisher report it. */
function apiError(code: number, errCode: number, description: string): JetStreamApiError {
  return new JetStreamApiError({ code, err_code: errCode, description });
}

/** A request that nobody answered, as the client reports it (a JetStream API request adds one more layer). */
function noResponders(subject: string): Error {
  return new errors.RequestError("no responders", { cause: new errors.NoRespondersError(subject) });
}

/** The first event of a subscription, or its error; fails the test after `timeoutMs`. */
async function first(subscription: Subscription, timeoutMs: number): Promise<StreamEvent> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      subscription[Symbol.asyncIterator]()
        .next()
        .then((result) => result.value as StreamEvent),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`nothing within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe("classifyNatsError", () => {
  it("gives JetStream API errors with a 4xx status as final", () => {
    expect(classifyNatsError(apiError(400, 10026, "maximum consumers limit reached"))).toBe("final");
    expect(classifyNatsError(apiError(400, 10054, "message size exceeds maximum allowed"))).toBe("final");
    expect(classifyNatsError(apiError(404, 10014, "consumer not found"))).toBe("final");
  });

  it("tells a missing stream, a timeout and a lost connection apart from final errors", () => {
    expect(classifyNatsError(apiError(404, 10059, "stream not found"))).toBe("no-stream");
    expect(classifyNatsError(new errors.NoRespondersError("weir.topic.a"))).toBe("no-stream");
    expect(classifyNatsError(noResponders("weir.topic.a"))).toBe("no-stream");
    expect(
      classifyNatsError(new Error("jetstream is not enabled", { cause: noResponders("$JS.API.INFO") })),
    ).toBe("no-stream");
    expect(classifyNatsError(new errors.TimeoutError())).toBe("timeout");
    expect(classifyNatsError(new errors.ClosedConnectionError())).toBe("transient");
    expect(classifyNatsError(new errors.RequestError("connection disconnected"))).toBe("transient");
    expect(classifyNatsError(new errors.DrainingConnectionError())).toBe("transient");
    expect(classifyNatsError(apiError(500, 10049, "stream restore failed"))).toBe("transient");
  });

  it("gives a request that the client refuses before sending it, and a permissions violation, as final", () => {
    expect(classifyNatsError(new errors.InvalidArgumentError("payload: max_payload size exceeded"))).toBe(
      "final",
    );
    expect(
      classifyNatsError(
        new errors.PermissionViolationError("Permissions Violation", "publish", "weir.topic.a"),
      ),
    ).toBe("final");
    expect(classifyNatsError(new Error("not from the client"))).toBe("final");
  });
});

describe.skipIf(nats.skip)("NATS errors", () => {
  let stream: Stream;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const topics: string[] = [];
  const unique = (label: string): string => {
    const topic = `${label}-${randomUUID().slice(0, 8)}`;
    topics.push(topic);
    return topic;
  };

  /** A topic whose JetStream stream carries limits Weir never sets itself. */
  async function limitedTopic(label: string, limits: { max_consumers?: number; max_msg_size?: number }) {
    const topic = unique(label);
    await jsm.streams.add({
      name: streamName(topic),
      description: DESCRIPTION_PREFIX + topic,
      subjects: [subjectOf(topic)],
      ...limits,
    });
    return topic;
  }

  beforeAll(async () => {
    stream = await connect({ url: nats.value as string });
    nc = await natsConnect({ servers: (nats.value as string).replace(/^nats:\/\//, "") });
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    for (const topic of topics) await stream?.deleteTopic(topic).catch(() => undefined);
    await stream?.close();
    await nc?.close();
  });

  it("ends a subscription at once when JetStream refuses its consumer for good, instead of retrying", async () => {
    const topic = await limitedTopic("refused-group", { max_consumers: 1 });
    await stream.publish(topic, { data: "one" });
    const accepted = stream.subscribe(topic, { group: "first" });
    expect((await first(accepted, 5000)).text()).toBe("one");
    // The stream allows one consumer: JetStream answers the second group with a 400 API error.
    const refused = stream.subscribe(topic, { group: "second" });
    await expect(first(refused, 5000)).rejects.toMatchObject({
      code: "WEIR_REFUSED",
      retryable: false,
      message: expect.stringContaining(
        "maximum consumers limit reached (JetStream error 10026, status 400)",
      ) as unknown,
    });
    await accepted.close();
  });

  it("gives a consumer name that the client refuses before sending the request as final", async () => {
    const topic = await limitedTopic("bad-name", {});
    const error = await jsm.consumers
      .add(streamName(topic), { durable_name: "a.b" })
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect(classifyNatsError(error)).toBe("final");
  });

  it("rejects a publish that JetStream refuses for good as not retryable", async () => {
    const topic = await limitedTopic("refused-publish", { max_msg_size: 100 });
    await expect(stream.publish(topic, { data: "x".repeat(500) })).rejects.toMatchObject({
      code: "WEIR_REFUSED",
      retryable: false,
      message: expect.stringContaining("message size exceeds maximum allowed") as unknown,
    });
  });

  it("rejects a batch published to a missing topic with TopicNotFoundError, asking JetStream about the topic once", async () => {
    const topic = unique("missing");
    // Every request for this stream's info, from any client, as JetStream receives them.
    const infoRequests = nc.subscribe(`$JS.API.STREAM.INFO.${streamName(topic)}`);
    let asked = 0;
    void (async () => {
      for await (const _ of infoRequests) asked++;
    })();
    await nc.flush();
    const events = Array.from({ length: 50 }, (_, i) => ({ data: { i } }));
    await expect(stream.publish(topic, events)).rejects.toMatchObject({ code: "WEIR_TOPIC_NOT_FOUND" });
    await nc.flush();
    infoRequests.unsubscribe();
    expect(asked).toBe(1);
  });

  it("names the publish's own timeoutMs when a publish is not answered in time", async () => {
    // Something listens on the topic's subject but no stream stores it: the publish gets no answer.
    const topic = unique("unanswered");
    const silent = nc.subscribe(subjectOf(topic));
    await nc.flush();
    const error = (await stream
      .publish(topic, { data: 1 }, { timeoutMs: 300 })
      .catch((e: unknown) => e)) as Error;
    silent.unsubscribe();
    expect(error).toMatchObject({ code: "WEIR_TIMEOUT", retryable: true });
    expect(error.message).toContain(
      `Publishing to topic "${topic}" did not complete within 300 ms (the publish option timeoutMs)`,
    );
    expect(error.message).not.toContain("10000");
  });
});

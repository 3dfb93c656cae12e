import { randomUUID } from "node:crypto";

import { probeNats, requireService } from "@weir/test-support";
import type { JetStreamManager, NatsConnection } from "nats";
import { connect as natsConnect, ErrorCode, NatsError } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { connect } from "../index.js";
import type { Stream, StreamEvent, Subscription } from "../index.js";
import { classifyNatsError } from "./nats-errors.js";
import { DESCRIPTION_PREFIX, streamName, subjectOf } from "./nats-names.js";

const nats = await requireService("NATS JetStream", () => probeNats());

/** A JetStream API error as nats.js and the publisher report it. */
function apiError(code: number, errCode: number, description: string): NatsError {
  const error = new NatsError(description, String(code));
  error.api_error = { code, err_code: errCode, description };
  return error;
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
    expect(classifyNatsError(NatsError.errorForCode(ErrorCode.NoResponders))).toBe("no-stream");
    expect(classifyNatsError(NatsError.errorForCode(ErrorCode.Timeout))).toBe("timeout");
    expect(classifyNatsError(NatsError.errorForCode(ErrorCode.ConnectionClosed))).toBe("transient");
    expect(classifyNatsError(NatsError.errorForCode(ErrorCode.Disconnect))).toBe("transient");
    expect(classifyNatsError(apiError(500, 10049, "stream restore failed"))).toBe("transient");
  });

  it("gives a request that nats.js refuses before sending it, and a permissions violation, as final", () => {
    expect(classifyNatsError(new Error("invalid durable name - durable name cannot contain '.'"))).toBe(
      "final",
    );
    expect(classifyNatsError(NatsError.errorForCode(ErrorCode.PermissionsViolation))).toBe("final");
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
    jsm = await nc.jetstreamManager();
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

  it("rejects a publish that JetStream refuses for good as not retryable", async () => {
    const topic = await limitedTopic("refused-publish", { max_msg_size: 100 });
    await expect(stream.publish(topic, { data: "x".repeat(500) })).rejects.toMatchObject({
      code: "WEIR_REFUSED",
      retryable: false,
      message: expect.stringContaining("message size exceeds maximum allowed") as unknown,
    });
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

/** Prefix of every JetStream stream that holds a Weir topic. */
export const STREAM_PREFIX = "WEIR_";
/** Description that marks a stream as a Weir topic and keeps its name. */
export const DESCRIPTION_PREFIX = "weir topic ";

/**
 * Topic → JetStream stream name. Stream names may not contain ".", so "_" is doubled and "." becomes
 * "_-" (an injective mapping; the topic name itself is kept in the stream's description).
 */
export function streamName(topic: string): string {
  return STREAM_PREFIX + topic.replace(/_/g, "__").replace(/\./g, "_-");
}

/** Topic → the one subject its stream captures. */
export function subjectOf(topic: string): string {
  return `weir.topic.${topic}`;
}

/** Subject of a pull request ("send me the next messages") to a consumer. */
export function pullSubject(stream: string, consumer: string): string {
  return `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`;
}

/**
 * Header names carried by each message. Only `Weir-Id` is always present; the others are left out
 * when they hold their default (see `nats-codec.ts`).
 */
export const HEADER = {
  id: "Weir-Id",
  mimetype: "Weir-Mimetype",
  typeName: "Weir-Type-Name",
  typeVersion: "Weir-Type-Version",
  metadata: "Weir-Metadata",
} as const;

/** JetStream's de-duplication header (the idempotency key). */
export const MSG_ID_HEADER = "Nats-Msg-Id";

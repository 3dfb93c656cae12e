/**
 * `@weir/stream-nats`: the NATS JetStream backend of `@weir/stream`, on the NATS client v3
 * (`@nats-io/transport-node` and `@nats-io/jetstream`). Install it beside `@weir/stream`;
 * `connect()` loads it when the URL (or `WEIR_STREAM_URL`) is `nats://…`.
 *
 * @example
 * // npm install @weir/stream @weir/stream-nats
 * import { connect } from "@weir/stream";
 * const stream = await connect({ url: "nats://127.0.0.1:4222" });
 */
export { NatsStream, openStream } from "./nats-stream.js";
export type { NatsOptions } from "./nats-stream.js";
export { classifyNatsError } from "./nats-errors.js";
export type { NatsErrorKind } from "./nats-errors.js";

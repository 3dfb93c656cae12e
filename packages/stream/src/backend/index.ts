/**
 * `@weir/stream/backend`: what a backend package (such as `@weir/stream-nats`) builds on. Applications
 * never need it; they call `connect()` from `@weir/stream`, which loads the backend package that the
 * URL names.
 *
 * @example
 * import { BaseStream } from "@weir/stream/backend";
 * import type { BackendPackage } from "@weir/stream/backend";
 * class MyStream extends BaseStream { … }
 * export const openStream: BackendPackage["openStream"] = (options) => MyStream.open(options);
 */
export { BaseStream, DEFAULT_MAX_EVENT_BYTES } from "../core/base-stream.js";
export type { ResolvedSubscribeOptions } from "../core/base-stream.js";
export type { EncodedEvent } from "../core/encode-event.js";
export { EventQueue } from "../core/event-queue.js";
export { ReceivedEvent } from "../core/received-event.js";
export { SettledOnce } from "../core/settled-once.js";
export type { EventSettler } from "../core/settled-once.js";
export type { ReceivedFields, Settler } from "../core/received-event.js";
export { backoffDelay, sleep } from "../core/retry-policy.js";
export { TopicIdentity } from "../core/topic-identity.js";
export type { BackendOpenOptions, BackendPackage } from "./backend-package.js";

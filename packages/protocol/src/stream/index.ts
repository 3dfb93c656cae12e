/**
 * The event-log side of the protocol: WebSocket frames and the consumer-group state machine.
 * A separate entry point (`@weir/protocol/stream`) so that stream clients do not load zod.
 */
export * from "./frames.js";
export * from "./delivery-frame.js";
export * from "./publish-frame.js";
export * from "./group-engine.js";
export * from "./names.js";

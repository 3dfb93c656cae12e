/**
 * The stream side of the protocol: WebSocket frames, the consumer-group state machine, and the
 * contract every backend and the Weir server's event log share — names, event rules, error codes
 * and messages, and the topic summary. A separate entry point (`@weir/protocol/stream`) so that
 * stream clients do not load zod.
 */
export * from "./frames.js";
export * from "./delivery-frame.js";
export * from "./publish-frame.js";
export * from "./group-engine.js";
export * from "./names.js";
export * from "./dead-letter.js";
export * from "./event-rules.js";
export * from "./stream-errors.js";
export * from "./topic-summary.js";

export { connect, resolveStreamUrl } from "./connect.js";
export type { ConnectOptions } from "./connect.js";
export type {
  EventInput,
  GroupInfo,
  PublishAck,
  PublishOptions,
  StartPosition,
  Stream,
  StreamBackend,
  StreamEvent,
  SubscribeOptions,
  Subscription,
  TopicInfo,
  TopicOptions,
} from "./types.js";
export {
  BackendNotInstalledError,
  BadStreamUrlError,
  EventTooLargeError,
  InvalidTopicNameError,
  MalformedEventError,
  StreamClosedError,
  StreamConnectionError,
  StreamError,
  StreamProtocolError,
  StreamRefusedError,
  StreamTimeoutError,
  StreamUnavailableError,
  TopicChangedError,
  TopicExistsError,
  TopicNotFoundError,
  UnauthorizedError,
} from "./errors.js";
export type { StreamErrorCode } from "./errors.js";
export { DEAD_LETTER_SUFFIX, deadLetterTopic } from "./core/names.js";
export { DEFAULT_MAX_EVENT_BYTES } from "./core/base-stream.js";

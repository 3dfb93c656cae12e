export { flow } from "./flow.js";
export type { Flow, FlowContext, FlowOptions, ParamsArgs } from "./flow.js";
export { task } from "./task.js";
export type { Task, TaskContext, TaskOptions } from "./task.js";
export type {
  FinalStateType,
  ParameterSchema,
  RunHook,
  RunHookEvent,
  RunOptions,
  StandardParameterSchema,
} from "./run-options.js";
export { getRunLogger, logMetric } from "./run-context.js";
export type { LogMetricOptions } from "./run-context.js";
export type { LogFields, LogLevel, RunLogger } from "./logger.js";
export { exponentialBackoff, retryDelayFor } from "./retry-policy.js";
export type { BackoffOptions, RetryDelay } from "./retry-policy.js";
export { randomRunName } from "./run-names.js";
export type { RunNameInfo, RunNameOption } from "./run-names.js";
export type { CheckpointEntry, CheckpointStore } from "./checkpoints.js";
export type { Artifacts } from "./artifacts.js";
export { publishModel } from "./models.js";
export type { ModelRegistry, PublishableModel, PublishModelOptions } from "./models.js";
export type { ModelVersion } from "@weir/protocol";
export { consume } from "./consume/consume.js";
export type {
  ConsumedEvent,
  ConsumeHooks,
  ConsumeOptions,
  ConsumeResult,
  HandleContext,
} from "./consume/consume-options.js";
export type {
  ConsumeCheckpoint,
  ConsumeCheckpointStore,
  StaleCheckpointPolicy,
} from "./consume/consume-checkpoint.js";
export type { StateCodec } from "./consume/state-codec.js";
export { deploy } from "./deploy.js";
export type { DeployOptions } from "./deploy.js";
export { closeClient, configure, flush } from "./runtime.js";
export type { ConfigureOptions } from "./runtime.js";
export type { WeirClientConfig } from "./config.js";
export {
  WeirApiError,
  WeirArgumentError,
  WeirCancelledError,
  WeirCheckpointError,
  WeirConfigError,
  WeirFlowError,
  WeirNotInRunError,
  WeirParameterError,
  WeirTimeoutError,
} from "./errors.js";
export type { WeirFlowErrorCode } from "./errors.js";

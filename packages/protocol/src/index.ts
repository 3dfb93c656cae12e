export {
  ALLOWED_TRANSITIONS,
  STATE_TYPES,
  TERMINAL_STATES,
  isTerminalState,
  stateTypeSchema,
  transitionError,
} from "./states.js";
export type { StateType } from "./states.js";
export {
  MAX_JSON_DEPTH,
  TOTAL_CAP,
  idSchema,
  jsonDepthExceeds,
  jsonObjectSchema,
  jsonValueSchema,
  pageQuerySchema,
  pageSchema,
  timestampSchema,
} from "./common.js";
export type { Page } from "./common.js";
export { ERROR_CODES, errorBodySchema } from "./errors.js";
export type { ErrorBody, ErrorCode } from "./errors.js";
export {
  LOG_LEVELS,
  LOG_LEVEL_NUMBERS,
  logInputSchema,
  logLevelSchema,
  logLineSchema,
  logQuerySchema,
} from "./logs.js";
export type { LogInput, LogLevel, LogLine, LogQuery } from "./logs.js";
export {
  metricEventSchema,
  metricInputSchema,
  metricNameSchema,
  metricPointSchema,
  metricQuerySchema,
  metricSeriesSchema,
} from "./metrics.js";
export type { MetricEvent, MetricInput, MetricPoint, MetricSeries } from "./metrics.js";
export {
  RUN_SORTS,
  createRunSchema,
  runKindSchema,
  runListQuerySchema,
  runSchema,
  runStateProposalSchema,
  stateHistoryEntrySchema,
  stateProposalSchema,
  transitionAcceptedSchema,
  transitionRejectedSchema,
} from "./runs.js";
export type {
  CreateRun,
  Run,
  RunKind,
  RunListQuery,
  RunStateProposal,
  StateHistoryEntry,
  StateProposal,
  TransitionResult,
} from "./runs.js";
export { ARTIFACT_TYPES, artifactKeySchema, artifactSchema, createArtifactSchema } from "./artifacts.js";
export type { Artifact, CreateArtifact } from "./artifacts.js";
export { checkpointNameSchema, checkpointSchema, putCheckpointSchema } from "./checkpoints.js";
export type { Checkpoint, PutCheckpoint } from "./checkpoints.js";
export {
  INGEST_MAX_ITEMS,
  ingestBatchSchema,
  ingestRunSchema,
  ingestResultSchema,
  rejectedStateSchema,
} from "./ingest.js";
export type { IngestBatch, IngestResult } from "./ingest.js";
export {
  activityQuerySchema,
  activitySchema,
  flowSummarySchema,
  healthSchema,
  MAX_ACTIVITY_BUCKETS,
  statsQuerySchema,
  statsSchema,
} from "./dashboard.js";
export type { Activity, FlowSummary, Health, StateCounts, Stats } from "./dashboard.js";
export { LIVE_EVENT_NAMES, liveEventSchema, parseLiveEvent } from "./events.js";
export type { LiveEvent } from "./events.js";
export { fastParseIngestBatch } from "./ingest-fast-parse.js";
export { groupSummarySchema, topicEventSchema, topicSummarySchema } from "./topics.js";
export type { TopicEvent } from "./topics.js";
export type { GroupInfo, GroupSummary, TopicInfo, TopicSummary } from "./stream/topic-summary.js";
export {
  RESTART_MODES,
  claimAnswerSchema,
  claimSchema,
  claimedRunSchema,
  createDeploymentSchema,
  cronScheduleSchema,
  deploymentListQuerySchema,
  deploymentRecordSchema,
  deploymentSchema,
  deploymentVersionQuerySchema,
  deploymentVersionSchema,
  intervalScheduleSchema,
  restartPolicySchema,
  runDeploymentSchema,
  schedulePreviewQuerySchema,
  schedulePreviewSchema,
  scheduleSchema,
  workPoolNameSchema,
  workPoolSchema,
  workerHeartbeatAnswerSchema,
  workerHeartbeatSchema,
  workerListQuerySchema,
  workerSchema,
} from "./deployments.js";
export type {
  Claim,
  ClaimAnswer,
  ClaimedRun,
  CreateDeployment,
  Deployment,
  DeploymentRecord,
  DeploymentVersion,
  RestartPolicy,
  RunDeployment,
  Schedule,
  SchedulePreview,
  WorkPool,
  Worker,
  WorkerHeartbeat,
  WorkerHeartbeatAnswer,
} from "./deployments.js";
export {
  DEFAULT_SERVING_ALIAS,
  LATEST_ALIAS,
  MODEL_BATCH_MAX,
  aliasNameSchema,
  feedbackEventSchema,
  feedbackMetricsQuerySchema,
  feedbackMetricsSchema,
  feedbackTopic,
  labelsAnswerSchema,
  labelsBodySchema,
  modelAliasChangeSchema,
  modelAliasSchema,
  modelDetailSchema,
  modelInputSchema,
  modelInputTypeSchema,
  modelLabelSchema,
  modelNameSchema,
  modelStatsSchema,
  modelSummarySchema,
  modelVersionSchema,
  predictAnswerSchema,
  predictBodySchema,
  predictQuerySchema,
  predictionSchema,
  publishModelVersionSchema,
  setModelAliasSchema,
} from "./models.js";
export type {
  FeedbackEvent,
  FeedbackMetrics,
  LabelsAnswer,
  LabelsBody,
  ModelAlias,
  ModelAliasChange,
  ModelDetail,
  ModelInput,
  ModelInputType,
  ModelLabel,
  ModelStats,
  ModelSummary,
  ModelVersion,
  PredictAnswer,
  PredictBody,
  Prediction,
  PublishModelVersion,
  SetModelAlias,
} from "./models.js";

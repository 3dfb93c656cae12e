/**
 * The wire shapes the dashboard reads. Everything the server defines comes from `@weir/protocol`:
 * types only, plus the zod-free vocabularies of `@weir/protocol/vocabulary`, so the schemas stay out
 * of the browser bundle. Topics are the event log's summaries, field for field (`TopicSummary` of
 * `@weir/protocol/stream`, checked by `topicSummarySchema` against the server's answers).
 */

export type {
  Activity,
  Artifact,
  Deployment,
  DeploymentVersion,
  FeedbackMetrics,
  ModelAlias,
  ModelDetail,
  ModelInput,
  ModelSummary,
  ModelVersion,
  PredictAnswer,
  SchedulePreview,
  Worker,
  WorkPool,
  FlowSummary,
  LiveEvent,
  LogLevel,
  LogLine,
  MetricEvent,
  MetricSeries,
  Page,
  Run,
  StateHistoryEntry,
  StateType,
  Stats,
  TopicEvent,
  TopicSummary as Topic,
} from "@weir/protocol";

export { LOG_LEVELS, STATE_TYPES as STATES, TERMINAL_STATES } from "@weir/protocol/vocabulary";

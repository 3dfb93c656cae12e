export { runYelpDataPublisher } from "./flows/publisher-flow.js";
export type { PublisherParams } from "./flows/publisher-flow.js";
export { runYelpDataSubscriber } from "./flows/subscriber-flow.js";
export type { SubscriberParams, SubscriberResult } from "./flows/subscriber-flow.js";
export { runMetricsSubscriber } from "./flows/monitor-flow.js";
export { runFeedbackLearner } from "./flows/feedback-flow.js";
export type { FeedbackParams, FeedbackResult } from "./flows/feedback-flow.js";
export { FeedbackLearner, feedbackTopicOf, parseFeedback } from "./feedback-learner.js";
export type { FeedbackEvent, FeedbackLearnerState } from "./feedback-learner.js";
export { MODEL_NAME, ModelPublisher } from "./model-publisher.js";
export type { ModelPublisherOptions } from "./model-publisher.js";
export type { MonitorParams } from "./flows/monitor-flow.js";
export { APPLICATION_POOL, applicationDeployments } from "./deployments.js";
export type { ApplicationDeployment, ApplicationDeployments, ApplicationOptions } from "./deployments.js";
export {
  runFeedbackComponent,
  runMonitorComponent,
  runPublisherComponent,
  runSubscriberComponent,
} from "./component-runners.js";
export { checkServer } from "./check-server.js";
export type { CheckServerOptions } from "./check-server.js";
export { publishReviews } from "./publish-reviews.js";
export type { PublishReviewsOptions, PublishSummary } from "./publish-reviews.js";
export { learnFromStream } from "./learn-from-stream.js";
export type {
  CheckpointStore,
  LearnFromStreamOptions,
  LearnResult,
  SubscriberCheckpoint,
} from "./learn-from-stream.js";
export { monitorMetrics, formatFloat } from "./monitor-metrics.js";
export type { MonitorMetricsOptions, MonitorResult } from "./monitor-metrics.js";
export { SentimentModel } from "./sentiment-model.js";
export type { SentimentModelState, SentimentStep } from "./sentiment-model.js";
export { readReviews } from "./reviews/read-reviews.js";
export type { ReadReviewsOptions, ReviewsFormat, ReviewsLayout } from "./reviews/read-reviews.js";
export { checkReviewsFile } from "./reviews/check-reviews-file.js";
export type { MalformedRow, Review, ReviewRecord } from "./reviews/review-record.js";
export { countLines } from "./reviews/count-lines.js";
export { Progress, formatDuration } from "./progress.js";
export { RateLimiter } from "./rate-limiter.js";
export {
  SAMPLE_DATA,
  feedbackArgs,
  monitorArgs,
  positiveNumber,
  publishEveryOf,
  publisherArgs,
  subscriberArgs,
  threshold,
} from "./component-args.js";
export {
  EVENT_TYPES,
  FEEDBACK_GROUP,
  FLOW_NAMES,
  METRICS_TOPIC,
  METRICS_TOPIC_OPTIONS,
  MODEL_GROUP,
  MONITOR_GROUP,
  PIPELINE_TOPIC,
} from "./topics.js";
export type { MetricsEvent, ReviewEvent } from "./topics.js";
export { YelpExampleError } from "./errors.js";
export type { YelpErrorCode } from "./errors.js";

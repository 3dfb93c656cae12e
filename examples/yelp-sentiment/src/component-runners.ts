import { checkServer } from "./check-server.js";
import { runFeedbackLearner } from "./flows/feedback-flow.js";
import type { FeedbackParams, FeedbackResult } from "./flows/feedback-flow.js";
import { runMetricsSubscriber } from "./flows/monitor-flow.js";
import type { MonitorParams } from "./flows/monitor-flow.js";
import { runYelpDataPublisher } from "./flows/publisher-flow.js";
import type { PublisherParams } from "./flows/publisher-flow.js";
import { runYelpDataSubscriber } from "./flows/subscriber-flow.js";
import type { SubscriberParams, SubscriberResult } from "./flows/subscriber-flow.js";
import type { MonitorResult } from "./monitor-metrics.js";
import type { PublishSummary } from "./publish-reviews.js";
import { checkReviewsFile } from "./reviews/check-reviews-file.js";

// The components as command-line programs (`weir example yelp …`, `dist/bin/*.js`): what fails the
// same way on every attempt is checked before the flow starts, so it is reported at once in one
// sentence instead of being retried, and nothing is recorded or spooled for a run that never began.

/**
 * Runs the publisher flow after checking the reviews file (exists, is a file, has the columns)
 * and that the server answers.
 *
 * @example
 * await runPublisherComponent({ path: "data/reviews.csv", rate: 25 });
 */
export async function runPublisherComponent(params: PublisherParams): Promise<PublishSummary> {
  await checkReviewsFile(params.path, params);
  await checkServer(params.streamUrl === undefined ? {} : { streamUrl: params.streamUrl });
  return runYelpDataPublisher(params);
}

/**
 * Runs the model subscriber flow after checking that the server answers.
 *
 * @example
 * await runSubscriberComponent({ checkpointEvery: 500 });
 */
export async function runSubscriberComponent(params: SubscriberParams): Promise<SubscriberResult> {
  await checkServer(params.streamUrl === undefined ? {} : { streamUrl: params.streamUrl });
  return runYelpDataSubscriber(params);
}

/**
 * Runs the monitor flow after checking that the server answers.
 *
 * @example
 * await runMonitorComponent({ threshold: 0.6 });
 */
export async function runMonitorComponent(params: MonitorParams): Promise<MonitorResult> {
  await checkServer(params.streamUrl === undefined ? {} : { streamUrl: params.streamUrl });
  return runMetricsSubscriber(params);
}

/**
 * Runs the feedback learner flow after checking that the server answers.
 *
 * @example
 * await runFeedbackComponent({ modelName: "yelp-sentiment" });
 */
export async function runFeedbackComponent(params: FeedbackParams): Promise<FeedbackResult> {
  await checkServer(params.streamUrl === undefined ? {} : { streamUrl: params.streamUrl });
  return runFeedbackLearner(params);
}

import { consume, flow, logMetric } from "@weir/flow";
import type { FlowContext } from "@weir/flow";
import { connect } from "@weir/stream";

import { FeedbackLearner, feedbackTopicOf, parseFeedback } from "../feedback-learner.js";
import type { FeedbackEvent } from "../feedback-learner.js";
import { MODEL_NAME } from "../model-publisher.js";
import { FLOW_NAMES, FEEDBACK_GROUP } from "../topics.js";

/** Parameters of {@link runFeedbackLearner}. */
export interface FeedbackParams {
  /** The served model whose late labels are learned: topic `<modelName>.feedback`. @default "yelp-sentiment" */
  readonly modelName?: string;
  /** @default "feedback-learner" */
  readonly group?: string;
  /** Checkpoint after this many labels… @default 1000 */
  readonly checkpointEvery?: number;
  /** …or this many milliseconds. @default 1000 */
  readonly checkpointIntervalMs?: number;
  /** Unacknowledged labels are redelivered after this long. @default max(30000, 20 × checkpointIntervalMs) */
  readonly ackWaitMs?: number;
  /** Event backend URL; default `WEIR_STREAM_URL`, else the Weir server. */
  readonly streamUrl?: string;
}

/** What the feedback learner returns once stopped. */
export interface FeedbackResult {
  /** Labels in the state (every label up to `lastOffset`, each once). */
  readonly labels: number;
  /** Labels this process learned (replays of checkpointed labels excluded). */
  readonly learned: number;
  readonly servedAccuracy: number;
  readonly lastOffset: number;
}

/**
 * The feedback learner (`run-yelp-feedback-learner`): consumes the late labels of the served
 * model (`<model>.feedback`, published by the Weir server when `POST /api/models/:name/labels`
 * joins a label to its prediction) exactly once with `consume()` of `@weir/flow`, charts the
 * served model's accuracy (`served-accuracy`) and learns each labelled review. Runs until stopped;
 * a restart (or a crash) goes on from its checkpoint.
 *
 * @example
 * await runFeedbackLearner({ modelName: "yelp-sentiment" });
 */
export const runFeedbackLearner = flow(
  { name: FLOW_NAMES.feedback, logPrints: true, tags: ["yelp-sentiment"] },
  async (params: FeedbackParams, ctx: FlowContext): Promise<FeedbackResult> => {
    const topic = feedbackTopicOf(params.modelName ?? MODEL_NAME);
    const stream = await connect({
      ...(params.streamUrl ? { url: params.streamUrl } : {}),
      signal: ctx.signal,
    });
    try {
      await stream.ensureTopic(topic);
      ctx.logger.info(`Learning the late labels of "${topic}" on the ${stream.backend} backend`);
      const result = await consume<FeedbackLearner, { feedback: FeedbackEvent; sentiment: number }>({
        stream,
        topic,
        group: params.group ?? FEEDBACK_GROUP,
        checkpoints: ctx.checkpoint,
        signal: ctx.signal,
        state: new FeedbackLearner(),
        ...(params.checkpointEvery === undefined ? {} : { checkpointEvery: params.checkpointEvery }),
        ...(params.checkpointIntervalMs === undefined
          ? {}
          : { checkpointIntervalMs: params.checkpointIntervalMs }),
        ...(params.ackWaitMs === undefined ? {} : { ackWaitMs: params.ackWaitMs }),
        decode: parseFeedback,
        handle: ({ feedback, sentiment }, learner) => learner.learn(feedback, sentiment),
        onCheckpoint: (checkpoint) => {
          const saved = checkpoint.state as { labels: number; correct: number };
          if (saved.labels > 0)
            logMetric("served-accuracy", saved.correct / saved.labels, { step: saved.labels });
        },
      });
      const learner = result.state;
      return {
        labels: learner.labels,
        learned: result.handled,
        servedAccuracy: learner.servedAccuracy,
        lastOffset: result.lastOffset,
      };
    } finally {
      await stream.close();
    }
  },
);

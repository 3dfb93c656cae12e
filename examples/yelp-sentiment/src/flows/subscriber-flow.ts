import { flow, logMetric } from "@weir/flow";
import type { FlowContext } from "@weir/flow";
import { connect } from "@weir/stream";

import { ChartSampler } from "../chart-sampler.js";
import { learnFromStream } from "../learn-from-stream.js";
import type { StaleCheckpointPolicy, SubscriberCheckpoint } from "../learn-from-stream.js";
import { ModelPublisher } from "../model-publisher.js";
import type { SentimentModel } from "../sentiment-model.js";
import { FLOW_NAMES, METRICS_TOPIC, METRICS_TOPIC_OPTIONS, MODEL_GROUP, PIPELINE_TOPIC } from "../topics.js";
import { checkedSchema, subscriberParameters } from "./parameter-schemas.js";

/** Parameters of {@link runYelpDataSubscriber}. */
export interface SubscriberParams {
  /** @default "river_pipeline" */
  readonly inputTopic?: string;
  /** @default "river_metrics" */
  readonly metricsTopic?: string;
  /** @default "sentiment-model" */
  readonly group?: string;
  /** Checkpoint after this many events… @default 1000 */
  readonly checkpointEvery?: number;
  /** …or this many milliseconds. @default 1000 */
  readonly checkpointIntervalMs?: number;
  /** Unacknowledged events are redelivered after this long. @default max(30000, 20 × checkpointIntervalMs) */
  readonly ackWaitMs?: number;
  /** Send a `precision`/`recall` chart point every this many events… @default 1 */
  readonly metricEvery?: number;
  /**
   * …but at most this many per second (0: no limit). The latest value left out is charted at the
   * next checkpoint and when the subscriber stops, so the charts end on the current values.
   * @default 100
   */
  readonly chartMaxPerSecond?: number;
  /** Event backend URL; default `WEIR_STREAM_URL`, else the Weir server. */
  readonly streamUrl?: string;
  /**
   * A checkpoint made for another incarnation of the input topic (deleted and created again, or a
   * server on a new data directory) is set aside with a warning and the topic learned from a fresh
   * model (`"start-fresh"`), or the run fails (`"fail"`). @default "start-fresh"
   */
  readonly staleCheckpoint?: StaleCheckpointPolicy;
  /** The name the model is published under in the server's registry. @default "yelp-sentiment" */
  readonly modelName?: string;
  /**
   * Publish a model version each time this many more reviews were learned (at the first checkpoint
   * that covers them), and when the subscriber stops; 0: only when it stops. @default 1000
   */
  readonly publishEvery?: number;
}

/** What the subscriber flow returns once stopped. */
export interface SubscriberResult {
  readonly learned: number;
  readonly lastOffset: number;
  readonly precision: number;
  readonly recall: number;
  /** The model versions this run published (numbers, in order). */
  readonly versions: readonly number[];
}

/**
 * The model subscriber as a flow (`run-yelp-data-subscriber`). It runs until stopped (Ctrl-C or
 * SIGTERM end it Cancelled, after a last checkpoint and the classification report artifact).
 * Its checkpoint lives under the flow's name, key `<group>:<inputTopic>`, so a restarted process
 * continues where the last one stopped.
 *
 * @example
 * await runYelpDataSubscriber({});
 */
export const runYelpDataSubscriber = flow(
  {
    name: FLOW_NAMES.subscriber,
    logPrints: true,
    tags: ["yelp-sentiment"],
    parameters: checkedSchema<SubscriberParams>()(subscriberParameters),
  },
  async (params: SubscriberParams, ctx: FlowContext): Promise<SubscriberResult> => {
    const inputTopic = params.inputTopic ?? PIPELINE_TOPIC;
    const metricsTopic = params.metricsTopic ?? METRICS_TOPIC;
    const group = params.group ?? MODEL_GROUP;
    const charts = new ChartSampler({
      every: params.metricEvery ?? 1,
      maxPerSecond: params.chartMaxPerSecond ?? 100,
      chart: (n, [precision, recall]) => {
        logMetric("precision", precision as number, { step: n });
        logMetric("recall", recall as number, { step: n });
      },
    });
    const stream = await connect({
      ...(params.streamUrl ? { url: params.streamUrl } : {}),
      signal: ctx.signal,
    });
    const publisher = new ModelPublisher({
      name: params.modelName,
      every: params.publishEvery,
      publish: ctx.models.publish,
      logger: ctx.logger,
    });
    let model: SentimentModel | undefined;
    try {
      await stream.ensureTopic(inputTopic);
      await stream.ensureTopic(metricsTopic, METRICS_TOPIC_OPTIONS);
      ctx.logger.info(`Learning from "${inputTopic}" (group "${group}") on the ${stream.backend} backend`);
      const result = await learnFromStream({
        stream,
        inputTopic,
        metricsTopic,
        group,
        checkpointEvery: params.checkpointEvery,
        checkpointIntervalMs: params.checkpointIntervalMs,
        ackWaitMs: params.ackWaitMs,
        staleCheckpoint: params.staleCheckpoint,
        signal: ctx.signal,
        checkpoints: ctx.checkpoint,
        onStep: (step) => charts.offer(step.n, [step.precision, step.recall]),
        onRestore: (checkpoint) => publisher.restored(checkpoint as SubscriberCheckpoint),
        onCheckpoint: (checkpoint) => {
          charts.flush();
          publisher.checkpointed(checkpoint as SubscriberCheckpoint);
        },
      });
      model = result.model;
      const versions = await publisher.finish(model, result.lastOffset, result.learned);
      const [precision, recall] = model.scores();
      return {
        learned: result.learned,
        lastOffset: result.lastOffset,
        precision,
        recall,
        versions: versions.map((version) => version.version),
      };
    } finally {
      // Also when the loop ended on an error (e.g. its last checkpoint was refused): the charts end
      // on the numbers of the last review learned.
      charts.flush();
      await stream.close();
      if (model !== undefined) {
        ctx.artifacts.markdown("classification-report", reportMarkdown(model), {
          description: "Classification report and confusion matrix when the subscriber stopped",
        });
      }
    }
  },
);

function reportMarkdown(model: SentimentModel): string {
  const [precision, recall] = model.scores();
  return [
    "# Sentiment model",
    "",
    `Reviews learned: ${model.count}. Precision (class 0): ${precision}. Recall (class 0): ${recall}.`,
    "",
    "## Classification report",
    "",
    "```",
    model.report.toString(),
    "```",
    "",
    "## Confusion matrix (rows: true label, columns: predicted)",
    "",
    "```",
    model.cm.toString(),
    "```",
    "",
  ].join("\n");
}

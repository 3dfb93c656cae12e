/** Topic the publisher writes reviews to. */
export const PIPELINE_TOPIC = "river_pipeline";
/** Topic the model subscriber writes `{ precision, recall, n, offset }` to. */
export const METRICS_TOPIC = "river_metrics";
/**
 * How the metrics topic is created. A restarted subscriber publishes again the metrics of the
 * events its last checkpoint did not cover, with the same idempotency keys; the topic stores them
 * once if they come back within the dedupe window. The embedded log remembers keys as long as it
 * keeps the event; NATS only for the window (2 minutes by default), so it is set to an hour here:
 * a subscriber restarted later than that after a crash may store up to one checkpoint's worth
 * of metrics twice.
 */
export const METRICS_TOPIC_OPTIONS = { dedupeWindowMs: 3_600_000 } as const;
/** Consumer group of the model subscriber. */
export const MODEL_GROUP = "sentiment-model";
/** Consumer group of the metrics monitor. */
export const MONITOR_GROUP = "metrics-monitor";
/** Consumer group of the feedback learner (on the model's `<name>.feedback` topic). */
export const FEEDBACK_GROUP = "feedback-learner";
/** Flow names, as the dashboard lists them. */
export const FLOW_NAMES = {
  publisher: "run-yelp-data-publisher",
  subscriber: "run-yelp-data-subscriber",
  monitor: "run-metrics-subscriber",
  feedback: "run-yelp-feedback-learner",
} as const;

/** The payload of a review event on {@link PIPELINE_TOPIC}. */
export interface ReviewEvent {
  readonly text: string;
  readonly sentiment: number;
  /** Line of the source file the review came from. */
  readonly line: number;
}

/** The payload of a metrics event on {@link METRICS_TOPIC}. */
export interface MetricsEvent {
  /** Precision of class 0 after scoring the review at `offset`. */
  readonly precision: number;
  /** Recall of class 0 after scoring the review at `offset`. */
  readonly recall: number;
  /** Reviews learned so far. */
  readonly n: number;
  /**
   * Offset of the review event in the pipeline topic. With the topic's name and `topicId` it makes
   * the idempotency key of this event (`<topic>:<topicId>:<offset>`).
   */
  readonly offset: number;
  /** When the review event was stored (ms since the epoch), for end-to-end latency. */
  readonly sourceAt: number;
}

/** Type names carried by the events, for readers that dispatch on them. */
export const EVENT_TYPES = { review: "yelp.review", metrics: "yelp.metrics" } as const;

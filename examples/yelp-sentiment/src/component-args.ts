import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { YelpExampleError } from "./errors.js";
import type { FeedbackParams } from "./flows/feedback-flow.js";
import type { MonitorParams } from "./flows/monitor-flow.js";
import type { PublisherParams } from "./flows/publisher-flow.js";
import type { SubscriberParams } from "./flows/subscriber-flow.js";
import type { ReviewsFormat } from "./reviews/read-reviews.js";

/** The project's own sample reviews (337 rows, written for Weir), the quick-start default. */
export const SAMPLE_DATA: string = fileURLToPath(new URL("../data/reviews.csv", import.meta.url));

/**
 * Reads a positive number option, with an error that names the option.
 * @example positiveNumber("--rate", "50"); // 50
 */
export function positiveNumber(option: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new YelpExampleError("WEIR_YELP_OPTION", `${option} must be a positive number; got "${raw}".`);
  }
  return value;
}

/**
 * Reads a threshold in [0, 1].
 * @example threshold("0.6"); // 0.6
 */
export function threshold(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new YelpExampleError(
      "WEIR_YELP_OPTION",
      `--threshold must be a number between 0 and 1; got "${raw}".`,
    );
  }
  return value;
}

function format(raw: string | undefined): ReviewsFormat | undefined {
  if (raw === undefined) return undefined;
  if (raw === "csv" || raw === "uci" || raw === "auto") return raw;
  throw new YelpExampleError("WEIR_YELP_OPTION", `--format must be csv, uci or auto; got "${raw}".`);
}

/**
 * Parameters of the publisher from command-line arguments
 * (`--data`, `--rate`, `--text-column`, `--label-column`, `--format`, `--topic`, `--allow-replacement`).
 * @example publisherArgs(["--data", "reviews.csv", "--rate", "20"]);
 */
export function publisherArgs(argv: readonly string[]): PublisherParams {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      data: { type: "string" },
      rate: { type: "string" },
      "text-column": { type: "string" },
      "label-column": { type: "string" },
      format: { type: "string" },
      topic: { type: "string" },
      "allow-replacement": { type: "boolean" },
    },
  });
  // 0 means as fast as acks allow, as for `weir demo --rate 0`.
  const rate = values.rate === "0" ? undefined : positiveNumber("--rate", values.rate);
  const fmt = format(values.format);
  return {
    path: values.data ?? SAMPLE_DATA,
    ...(rate === undefined ? {} : { rate }),
    ...(values["text-column"] === undefined ? {} : { textColumn: values["text-column"] }),
    ...(values["label-column"] === undefined ? {} : { labelColumn: values["label-column"] }),
    ...(fmt === undefined ? {} : { format: fmt }),
    ...(values.topic === undefined ? {} : { topic: values.topic }),
    ...(values["allow-replacement"] === true ? { allowReplacement: true } : {}),
  };
}

/**
 * Parameters of the model subscriber (`--input-topic`, `--metrics-topic`, `--group`,
 * `--checkpoint-every`, `--checkpoint-interval-ms`, `--ack-wait-ms`, `--model-name`, `--publish-every`).
 * @example subscriberArgs(["--checkpoint-every", "500"]);
 */
export function subscriberArgs(argv: readonly string[]): SubscriberParams {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      "input-topic": { type: "string" },
      "metrics-topic": { type: "string" },
      group: { type: "string" },
      "checkpoint-every": { type: "string" },
      "checkpoint-interval-ms": { type: "string" },
      "ack-wait-ms": { type: "string" },
      "model-name": { type: "string" },
      "publish-every": { type: "string" },
    },
  });
  const publishEvery = publishEveryOf(values["publish-every"]);
  const every = positiveNumber("--checkpoint-every", values["checkpoint-every"]);
  const interval = positiveNumber("--checkpoint-interval-ms", values["checkpoint-interval-ms"]);
  const ackWaitMs = positiveNumber("--ack-wait-ms", values["ack-wait-ms"]);
  return {
    ...(values["input-topic"] === undefined ? {} : { inputTopic: values["input-topic"] }),
    ...(values["metrics-topic"] === undefined ? {} : { metricsTopic: values["metrics-topic"] }),
    ...(values.group === undefined ? {} : { group: values.group }),
    ...(every === undefined ? {} : { checkpointEvery: Math.round(every) }),
    ...(interval === undefined ? {} : { checkpointIntervalMs: interval }),
    ...(ackWaitMs === undefined ? {} : { ackWaitMs }),
    ...(values["model-name"] === undefined ? {} : { modelName: values["model-name"] }),
    ...(publishEvery === undefined ? {} : { publishEvery }),
  };
}

/**
 * Reads `--publish-every`: a whole number of reviews, 0 meaning "only when the subscriber stops".
 * @example publishEveryOf("500"); // 500
 */
export function publishEveryOf(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "0") return raw === undefined ? undefined : 0;
  const value = positiveNumber("--publish-every", raw);
  if (value !== undefined && !Number.isInteger(value)) {
    throw new YelpExampleError("WEIR_YELP_OPTION", `--publish-every must be a whole number; got "${raw}".`);
  }
  return value;
}

/**
 * Parameters of the monitor (`--threshold`, `--topic`, `--group`).
 * @example monitorArgs(["--threshold", "0.7"]);
 */
export function monitorArgs(argv: readonly string[]): MonitorParams {
  const { values } = parseArgs({
    args: [...argv],
    options: { threshold: { type: "string" }, topic: { type: "string" }, group: { type: "string" } },
  });
  const value = threshold(values.threshold);
  return {
    ...(value === undefined ? {} : { threshold: value }),
    ...(values.topic === undefined ? {} : { topic: values.topic }),
    ...(values.group === undefined ? {} : { group: values.group }),
  };
}

/**
 * Parameters of the feedback learner (`--model-name`, `--group`, `--checkpoint-every`,
 * `--checkpoint-interval-ms`, `--ack-wait-ms`).
 * @example feedbackArgs(["--model-name", "yelp-sentiment"]);
 */
export function feedbackArgs(argv: readonly string[]): FeedbackParams {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      "model-name": { type: "string" },
      group: { type: "string" },
      "checkpoint-every": { type: "string" },
      "checkpoint-interval-ms": { type: "string" },
      "ack-wait-ms": { type: "string" },
    },
  });
  const every = positiveNumber("--checkpoint-every", values["checkpoint-every"]);
  const interval = positiveNumber("--checkpoint-interval-ms", values["checkpoint-interval-ms"]);
  const ackWaitMs = positiveNumber("--ack-wait-ms", values["ack-wait-ms"]);
  return {
    ...(values["model-name"] === undefined ? {} : { modelName: values["model-name"] }),
    ...(values.group === undefined ? {} : { group: values.group }),
    ...(every === undefined ? {} : { checkpointEvery: Math.round(every) }),
    ...(interval === undefined ? {} : { checkpointIntervalMs: interval }),
    ...(ackWaitMs === undefined ? {} : { ackWaitMs }),
  };
}

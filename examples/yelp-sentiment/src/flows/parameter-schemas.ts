import { z } from "zod";

// The parameter schemas of the three components' flows. A flow validates its parameters with them
// before each run, and `deploy()` sends them to the server as JSON Schema: the server refuses bad
// defaults or "Run now" parameters with the field's message, and the dashboard's "Run" form is built
// from them. They are strict: a key the flow does not know is refused, never silently dropped. The
// flows' parameter interfaces (PublisherParams, …) are checked against them where each flow is made.

const topic = (what: string, fallback: string) =>
  z.string().min(1).optional().describe(`Topic ${what} (default "${fallback}")`);
const group = (fallback: string) =>
  z.string().min(1).optional().describe(`Consumer group (default "${fallback}")`);
const streamUrl = z
  .string()
  .min(1)
  .optional()
  .describe("Event backend URL (default WEIR_STREAM_URL, else the Weir server)");
const positiveInt = (text: string) => z.number().int().positive().optional().describe(text);

/** Parameters of the publisher flow (`run-yelp-data-publisher`). */
export const publisherParameters = z.strictObject({
  path: z
    .string()
    .min(1)
    .describe(
      "The reviews file: CSV with a header, or UCI sentence<TAB>label (absolute, or relative to the worker's working directory)",
    ),
  rate: z
    .number()
    .positive()
    .optional()
    .describe("Events per second; leave empty to publish as fast as acks allow"),
  textColumn: z.string().min(1).optional().describe('CSV column holding the text (default "text")'),
  labelColumn: z.string().min(1).optional().describe('CSV column holding the label (default "sentiment")'),
  format: z.enum(["csv", "uci", "auto"]).optional().describe('File format (default "auto")'),
  allowReplacement: z
    .boolean()
    .optional()
    .describe("Publish rows holding bytes that are not UTF-8, with U+FFFD in their place"),
  topic: topic("the reviews are published to", "river_pipeline"),
  streamUrl,
});

/** Parameters of the model subscriber flow (`run-yelp-data-subscriber`). */
export const subscriberParameters = z.strictObject({
  inputTopic: topic("of the reviews", "river_pipeline"),
  metricsTopic: topic("the metrics are published to", "river_metrics"),
  group: group("sentiment-model"),
  checkpointEvery: positiveInt("Checkpoint after this many reviews (default 1000)…"),
  checkpointIntervalMs: z
    .number()
    .positive()
    .optional()
    .describe("…or this many milliseconds (default 1000)"),
  ackWaitMs: z
    .number()
    .positive()
    .optional()
    .describe("Unacknowledged reviews are redelivered after this many ms (default 30000)"),
  metricEvery: positiveInt("Chart precision/recall every this many reviews (default 1)"),
  chartMaxPerSecond: z
    .number()
    .min(0)
    .optional()
    .describe("At most this many chart points per second, 0: no limit (default 100)"),
  streamUrl,
  staleCheckpoint: z
    .enum(["start-fresh", "fail"])
    .optional()
    .describe('A checkpoint of another incarnation of the topic: "start-fresh" (default) or "fail"'),
  modelName: z.string().min(1).optional().describe('Model name in the registry (default "yelp-sentiment")'),
  publishEvery: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("Publish a model version every this many reviews, 0: only when stopping (default 1000)"),
});

/** Parameters of the metrics monitor flow (`run-metrics-subscriber`). */
export const monitorParameters = z.strictObject({
  threshold: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe("Warn when precision or recall is below this (default 0.6)"),
  topic: topic("of the metrics", "river_metrics"),
  group: group("metrics-monitor"),
  streamUrl,
});

/**
 * `schema`, once the compiler has checked that it describes the parameters `P` of a flow: what it
 * returns fits `P`, and it names every key of `P` (a key missing from a strict schema would be
 * refused at run time).
 *
 * @example
 * flow({ name: "run-metrics-subscriber", parameters: checkedSchema<MonitorParams>()(monitorParameters) }, …);
 */
export function checkedSchema<P>() {
  return <S extends z.ZodType<P>>(
    schema: S & ([Exclude<keyof P, keyof z.output<S>>] extends [never] ? unknown : { missing: keyof P }),
  ): S => schema;
}

import { Command, Option } from "commander";

import { referenceApp as app } from "./reference-app.js";

/** A run stopped by Ctrl-C ends Cancelled; that is the normal way to stop a subscriber, not an error. */
async function runComponent(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof Error && error.name === "WeirCancelledError") return;
    throw error;
  }
}

/** Options of `weir example yelp publish`, as commander hands them over (defaults filled in). */
interface PublishOptions {
  data?: string;
  rate?: string;
  textColumn: string;
  labelColumn: string;
  format: "auto" | "csv" | "uci";
  topic: string;
  allowReplacement?: boolean;
}

function publishCommand(): Command {
  return new Command("publish")
    .description("stream a CSV of labelled reviews into river_pipeline (flow run-yelp-data-publisher)")
    .option(
      "--data <file>",
      "CSV with a header, or UCI sentence<TAB>label file (default: the bundled sample reviews)",
    )
    .option(
      "--rate <events/s>",
      "emulate a live feed at this many events per second (default, or 0: as fast as acks allow)",
    )
    .option("--text-column <name>", "CSV column holding the text", "text")
    .option("--label-column <name>", "CSV column holding the label", "sentiment")
    .addOption(new Option("--format <format>", "file layout").choices(["auto", "csv", "uci"]).default("auto"))
    .option("--topic <name>", "topic to publish to", "river_pipeline")
    .option(
      "--allow-replacement",
      "publish rows holding bytes that are not UTF-8, with U+FFFD in their place (default: set them aside)",
    )
    .action(async (options: PublishOptions) => {
      const { SAMPLE_DATA, positiveNumber, runPublisherComponent } = await app();
      const rate = options.rate === "0" ? undefined : positiveNumber("--rate", options.rate);
      await runComponent(() =>
        runPublisherComponent({
          path: options.data ?? SAMPLE_DATA,
          ...(rate === undefined ? {} : { rate }),
          textColumn: options.textColumn,
          labelColumn: options.labelColumn,
          format: options.format,
          topic: options.topic,
          allowReplacement: options.allowReplacement === true,
        }),
      );
    });
}

function subscribeCommand(): Command {
  return new Command("subscribe")
    .description(
      "learn from river_pipeline exactly once, publish metrics to river_metrics (run-yelp-data-subscriber)",
    )
    .option("--input-topic <name>", "topic of the reviews", "river_pipeline")
    .option("--metrics-topic <name>", "topic for { precision, recall, n, offset }", "river_metrics")
    .option("--group <name>", "consumer group", "sentiment-model")
    .option("--checkpoint-every <events>", "checkpoint after this many events", "1000")
    .option("--checkpoint-interval-ms <ms>", "…or after this many milliseconds", "1000")
    .option("--chart-every <events>", "send a precision/recall chart point every this many events…", "1")
    .option("--chart-max-rate <points/s>", "…but at most this many a second (0: no limit)", "100")
    .option(
      "--ack-wait-ms <ms>",
      "redeliver events left unacknowledged this long (default: max(30000, 20 × interval))",
    )
    .option(
      "--model-name <name>",
      "publish the model to the server's registry under this name",
      "yelp-sentiment",
    )
    .option(
      "--publish-every <reviews>",
      "publish a model version every this many learned reviews, and when stopping (0: only when stopping)",
      "1000",
    )
    .action(async (options: Record<string, string | undefined>) => {
      const { positiveNumber, publishEveryOf, runSubscriberComponent } = await app();
      const every = positiveNumber("--checkpoint-every", options.checkpointEvery) ?? 1000;
      const interval = positiveNumber("--checkpoint-interval-ms", options.checkpointIntervalMs) ?? 1000;
      const ackWaitMs = positiveNumber("--ack-wait-ms", options.ackWaitMs);
      const chartEvery = positiveNumber("--chart-every", options.chartEvery) ?? 1;
      const chartMaxRate =
        options.chartMaxRate === "0" ? 0 : (positiveNumber("--chart-max-rate", options.chartMaxRate) ?? 100);
      await runComponent(() =>
        runSubscriberComponent({
          inputTopic: options.inputTopic ?? "river_pipeline",
          metricsTopic: options.metricsTopic ?? "river_metrics",
          group: options.group ?? "sentiment-model",
          checkpointEvery: Math.round(every),
          checkpointIntervalMs: interval,
          ...(ackWaitMs === undefined ? {} : { ackWaitMs }),
          metricEvery: Math.round(chartEvery),
          chartMaxPerSecond: chartMaxRate,
          modelName: options.modelName ?? "yelp-sentiment",
          publishEvery: publishEveryOf(options.publishEvery) ?? 1000,
        }),
      );
    });
}

function metricsCommand(): Command {
  return new Command("metrics")
    .description(
      "warn when precision or recall in river_metrics is below a threshold (run-metrics-subscriber)",
    )
    .option("--threshold <value>", "warning threshold between 0 and 1", "0.6")
    .option("--topic <name>", "metrics topic", "river_metrics")
    .option("--group <name>", "consumer group", "metrics-monitor")
    .action(async (options: Record<string, string | undefined>) => {
      const { runMonitorComponent, threshold } = await app();
      await runComponent(() =>
        runMonitorComponent({
          threshold: threshold(options.threshold) ?? 0.6,
          topic: options.topic ?? "river_metrics",
          group: options.group ?? "metrics-monitor",
        }),
      );
    });
}

function feedbackCommand(): Command {
  return new Command("feedback")
    .description(
      "learn the served model's late labels (<model>.feedback) exactly once (run-yelp-feedback-learner)",
    )
    .option("--model-name <name>", "the served model whose labels are learned", "yelp-sentiment")
    .option("--group <name>", "consumer group", "feedback-learner")
    .option("--checkpoint-every <labels>", "checkpoint after this many labels", "1000")
    .option("--checkpoint-interval-ms <ms>", "…or after this many milliseconds", "1000")
    .option("--ack-wait-ms <ms>", "redeliver labels left unacknowledged this long")
    .action(async (options: Record<string, string | undefined>) => {
      const { feedbackArgs, runFeedbackComponent } = await app();
      const argv = Object.entries(options).flatMap(([name, value]) =>
        value === undefined ? [] : [`--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value],
      );
      await runComponent(() => runFeedbackComponent(feedbackArgs(argv)));
    });
}

/**
 * `weir example yelp publish|subscribe|metrics|feedback`: runs one component of the Yelp sentiment
 * application in this process, as a user would in one of three terminals.
 *
 * @example
 * weir example yelp subscribe
 */
export function exampleCommand(): Command {
  const yelp = new Command("yelp")
    .description(
      "the Yelp sentiment application (publisher, model subscriber, metrics monitor, feedback learner)",
    )
    .addCommand(publishCommand())
    .addCommand(subscribeCommand())
    .addCommand(metricsCommand())
    .addCommand(feedbackCommand());
  return new Command("example")
    .description("run one component of a bundled example application")
    .addCommand(yelp);
}

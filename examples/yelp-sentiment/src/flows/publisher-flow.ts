import { basename } from "node:path";

import { flow } from "@weir/flow";
import type { FlowContext } from "@weir/flow";
import { connect } from "@weir/stream";

import { Progress } from "../progress.js";
import { publishReviews } from "../publish-reviews.js";
import type { PublishSummary } from "../publish-reviews.js";
import { checkReviewsFile } from "../reviews/check-reviews-file.js";
import { countLines } from "../reviews/count-lines.js";
import type { ReviewsFormat } from "../reviews/read-reviews.js";
import { FLOW_NAMES, PIPELINE_TOPIC } from "../topics.js";
import { checkedSchema, publisherParameters } from "./parameter-schemas.js";

/** Parameters of {@link runYelpDataPublisher}. */
export interface PublisherParams {
  /** The reviews file (CSV with a header, or UCI `sentence<TAB>label`). */
  readonly path: string;
  /** Events per second; omitted: as fast as acks allow. */
  readonly rate?: number;
  /** @default "text" */
  readonly textColumn?: string;
  /** @default "sentiment" */
  readonly labelColumn?: string;
  /** @default "auto" */
  readonly format?: ReviewsFormat;
  /**
   * Publish rows holding bytes that are not UTF-8, with U+FFFD in their place (each is logged as a
   * WARNING); without it they are set aside like malformed rows.
   * @default false
   */
  readonly allowReplacement?: boolean;
  /** @default "river_pipeline" */
  readonly topic?: string;
  /** Event backend URL; default `WEIR_STREAM_URL`, else the Weir server. */
  readonly streamUrl?: string;
}

/**
 * The publisher component as a flow (`run-yelp-data-publisher`): streams the file's rows into the
 * pipeline topic, warns about each row it sets aside (malformed, not UTF-8, too large for one
 * event) with its line number, and ends with a summary artifact. It is retried twice on failure;
 * a retry reuses the run id as idempotency prefix, so rows stored by the failed attempt are not
 * stored twice. A command line checks the file first (see `runPublisherComponent`), since a
 * missing file or column would fail every attempt the same way.
 *
 * @example
 * const summary = await runYelpDataPublisher({ path: "data/reviews.csv", rate: 20 });
 */
export const runYelpDataPublisher = flow(
  {
    name: FLOW_NAMES.publisher,
    logPrints: true,
    retries: 2,
    retryDelayMs: 1000,
    tags: ["yelp-sentiment"],
    parameters: checkedSchema<PublisherParams>()(publisherParameters),
  },
  async (params: PublisherParams, ctx: FlowContext): Promise<PublishSummary> => {
    const topic = params.topic ?? PIPELINE_TOPIC;
    const { headerLine } = await checkReviewsFile(params.path, params);
    const stream = await connect({
      ...(params.streamUrl ? { url: params.streamUrl } : {}),
      signal: ctx.signal,
    });
    try {
      await stream.ensureTopic(topic);
      const lines = await countLines(params.path).catch(() => undefined);
      const total = lines === undefined ? undefined : lines - headerLine;
      ctx.logger.info(
        `Publishing ${basename(params.path)} to "${topic}" on the ${stream.backend} backend ` +
          (params.rate === undefined ? "as fast as acks allow" : `at ${params.rate} events/s`),
      );
      const progress = new Progress({ total, log: (line) => ctx.logger.info(line) });
      const summary = await publishReviews({
        stream,
        path: params.path,
        topic,
        ...(params.rate === undefined ? {} : { rate: params.rate }),
        ...(params.textColumn === undefined ? {} : { textColumn: params.textColumn }),
        ...(params.labelColumn === undefined ? {} : { labelColumn: params.labelColumn }),
        ...(params.format === undefined ? {} : { format: params.format }),
        allowReplacement: params.allowReplacement ?? false,
        keyPrefix: ctx.runId,
        signal: ctx.signal,
        onMalformed: (row) =>
          ctx.logger.warn(`Skipped line ${row.line}: ${row.reason}`, { line: row.line, reason: row.reason }),
        onReplacement: (review) =>
          ctx.logger.warn(
            `Line ${review.line} holds bytes that are not valid UTF-8; published it with U+FFFD in their place (--allow-replacement)`,
            { line: review.line },
          ),
        onProgress: (published, malformed, line) => progress.update(published, malformed, line - headerLine),
      });
      progress.finish(summary.published, summary.malformedCount, { stopped: summary.aborted });
      ctx.artifacts.markdown("publisher-summary", summaryMarkdown(params.path, topic, summary), {
        description: "Rows published and rows set aside (malformed, not UTF-8, too large)",
      });
      ctx.logger.info(
        `${summary.aborted ? "Stopped early: published" : "Published"} ${summary.published} reviews ` +
          `(offsets ${summary.firstOffset}–${summary.lastOffset}), skipped ${summary.malformedCount} malformed rows` +
          (summary.replaced > 0
            ? `, ${summary.replaced} published with U+FFFD for bytes that are not UTF-8`
            : "") +
          `, in ${(summary.elapsedMs / 1000).toFixed(1)} s`,
      );
      return summary;
    } finally {
      await stream.close();
    }
  },
);

function summaryMarkdown(path: string, topic: string, summary: PublishSummary): string {
  const rate = summary.published / Math.max(summary.elapsedMs / 1000, 1e-3);
  const lines = [
    `# Publisher summary`,
    "",
    `| | |`,
    `|---|---|`,
    `| file | \`${basename(path)}\` |`,
    `| topic | \`${topic}\` |`,
    `| published | ${summary.published} |`,
    `| already stored (idempotent retry) | ${summary.duplicates} |`,
    `| malformed (skipped) | ${summary.malformedCount} |`,
    `| not UTF-8, published with U+FFFD | ${summary.replaced} |`,
    `| offsets | ${summary.firstOffset}–${summary.lastOffset} |`,
    `| time | ${(summary.elapsedMs / 1000).toFixed(2)} s (${Math.round(rate)} events/s) |`,
  ];
  if (summary.malformedCount > 0) {
    lines.push("", "## Malformed rows", "", "| line | reason |", "|---|---|");
    for (const row of summary.malformed.slice(0, 100))
      lines.push(`| ${row.line} | ${row.reason.replace(/\|/g, "\\|")} |`);
    if (summary.malformedCount > 100)
      lines.push("", `… and ${summary.malformedCount - 100} more (see the run's warnings).`);
  }
  return `${lines.join("\n")}\n`;
}

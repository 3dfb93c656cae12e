import type { EventInput, PublishAck, Stream } from "@weir/stream";

import { groupThousands } from "./group-thousands.js";
import { RateLimiter } from "./rate-limiter.js";
import { readReviews } from "./reviews/read-reviews.js";
import type { ReadReviewsOptions } from "./reviews/read-reviews.js";
import type { MalformedRow, Review } from "./reviews/review-record.js";
import { EVENT_TYPES, PIPELINE_TOPIC } from "./topics.js";
import type { ReviewEvent } from "./topics.js";

/** Options of {@link publishReviews}. */
export interface PublishReviewsOptions extends ReadReviewsOptions {
  readonly stream: Stream;
  /** CSV (or UCI tab-separated) file of labelled reviews. */
  readonly path: string;
  /** @default "river_pipeline" */
  readonly topic?: string;
  /** Events per second, to emulate a live feed; `undefined` publishes as fast as acks allow. */
  readonly rate?: number;
  /**
   * Prefix of each event's idempotency key (`<prefix>:<line>`): a retried publisher with the same
   * prefix (e.g. the same flow run id) stores each row once.
   */
  readonly keyPrefix: string;
  /** Rows sent in one publish call when not rate-limited. @default 256 */
  readonly batchSize?: number;
  /**
   * Called for each row that is not published: malformed, not UTF-8 (without `allowReplacement`),
   * or too large for one event on this backend.
   */
  readonly onMalformed?: (row: MalformedRow) => void;
  /** Called for each row published with U+FFFD in place of bytes that are not UTF-8 (`allowReplacement`). */
  readonly onReplacement?: (review: Review) => void;
  /** Called after each acknowledged publish with the running totals and the file line reached. */
  readonly onProgress?: (published: number, malformed: number, line: number) => void;
}

/** What a publisher run did. */
export interface PublishSummary {
  /** Rows stored in the topic (duplicates of a retried run included). */
  readonly published: number;
  /** Rows the topic already held under the same idempotency key. */
  readonly duplicates: number;
  /** Rows not published, with line and reason (the first 1,000). */
  readonly malformed: readonly MalformedRow[];
  readonly malformedCount: number;
  /** Rows published with U+FFFD in place of bytes that are not UTF-8 (`allowReplacement`). */
  readonly replaced: number;
  /** Offsets of the first and last stored row; 0 when none. */
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly elapsedMs: number;
  /** `true` when it stopped because the signal was aborted. */
  readonly aborted: boolean;
}

const MAX_LISTED_MALFORMED = 1000;

/**
 * Streams a review file into a topic, in file order, one JSON event per good row
 * (`{ text, sentiment, line }`). Malformed rows are reported and skipped, never published; so is a
 * row too large for one event on the stream's backend (`stream.maxEventBytes`), with its size.
 *
 * @example
 * const stream = await connect();
 * const summary = await publishReviews({ stream, path: "data/reviews.csv", keyPrefix: runId, rate: 50 });
 */
export async function publishReviews(options: PublishReviewsOptions): Promise<PublishSummary> {
  const topic = options.topic ?? PIPELINE_TOPIC;
  const batchSize = options.rate === undefined ? (options.batchSize ?? 256) : 1;
  const limiter = options.rate === undefined ? undefined : new RateLimiter(options.rate);
  const started = performance.now();
  const malformed: MalformedRow[] = [];
  let malformedCount = 0;
  let replaced = 0;
  let published = 0;
  let duplicates = 0;
  let firstOffset = 0;
  let lastOffset = 0;
  let batch: EventInput[] = [];
  let line = 0;

  // Publishes are pipelined (acks come back in order): a few batches in flight when going as
  // fast as possible, up to a second's worth of single events when paced.
  const window = options.rate === undefined ? 4 : Math.max(16, Math.ceil(options.rate));
  const inFlight: Promise<void>[] = [];
  let failure: unknown;
  const send = async (): Promise<void> => {
    if (batch.length === 0) return;
    const events = batch;
    batch = [];
    // Not aborted with the signal: a stop ends the reading, and what was sent is still acknowledged
    // and counted, so the summary says exactly how far it got (the flow's grace period bounds it).
    const sent = options.stream.publish(topic, events).then((acks: PublishAck[]) => {
      for (const ack of acks) {
        if (ack.duplicate) duplicates += 1;
        if (firstOffset === 0) firstOffset = ack.offset;
        lastOffset = Math.max(lastOffset, ack.offset);
      }
      published += acks.length;
      options.onProgress?.(published, malformedCount, line);
    });
    inFlight.push(
      sent.catch((error: unknown) => {
        failure ??= error;
      }),
    );
    if (inFlight.length >= window) await inFlight.shift();
  };

  const setAside = (row: MalformedRow): void => {
    malformedCount += 1;
    if (malformed.length < MAX_LISTED_MALFORMED) malformed.push(row);
    options.onMalformed?.(row);
  };
  for await (const record of readReviews(options.path, options)) {
    if (failure !== undefined) break;
    line = record.line;
    if (record.kind === "malformed") {
      setAside(record);
      continue;
    }
    const event = toEvent(record, options.keyPrefix);
    const tooLarge = oversize(record, event, options.stream.maxEventBytes);
    if (tooLarge !== undefined) {
      setAside(tooLarge);
      continue;
    }
    if (record.replacement === true) {
      replaced += 1;
      options.onReplacement?.(record);
    }
    if (limiter !== undefined) await limiter.wait(options.signal);
    if (options.signal?.aborted) break;
    batch.push(event);
    if (batch.length >= batchSize) await send();
  }
  if (!options.signal?.aborted) await send();
  await Promise.all(inFlight);
  if (failure !== undefined)
    throw failure instanceof Error ? failure : new Error("Publishing failed", { cause: failure });
  return {
    published,
    duplicates,
    malformed,
    malformedCount,
    replaced,
    firstOffset,
    lastOffset,
    elapsedMs: performance.now() - started,
    aborted: options.signal?.aborted === true,
  };
}

/**
 * The row as a malformed one when its event is larger than the backend accepts (one such row
 * would fail a whole batch), counted as `@weir/stream` counts it: the JSON payload plus the
 * mimetype and type name. A text of up to max/6 characters cannot be over (JSON writes a UTF-16
 * unit in at most 6 bytes), so only longer ones are measured.
 */
function oversize(review: Review, event: EventInput, maxEventBytes: number): MalformedRow | undefined {
  if (review.text.length * 6 + 1024 < maxEventBytes) return undefined;
  const size =
    Buffer.byteLength(JSON.stringify(event.data), "utf8") +
    (event.mimetype?.length ?? 0) +
    (event.typeName?.length ?? 0);
  if (size <= maxEventBytes) return undefined;
  return {
    line: review.line,
    reason:
      `too large to publish: ${groupThousands(size)} bytes as an event, over the limit of ` +
      `${groupThousands(maxEventBytes)} bytes (shorten the text or split the row)`,
    raw: `${review.text.slice(0, 200)}…`,
  };
}

function toEvent(review: Review, keyPrefix: string): EventInput {
  const data: ReviewEvent = { text: review.text, sentiment: review.sentiment, line: review.line };
  return {
    data,
    mimetype: "application/json",
    typeName: EVENT_TYPES.review,
    typeVersion: 1,
    idempotencyKey: `${keyPrefix}:${review.line}`,
  };
}

/**
 * Where an event goes after `maxDeliver` deliveries without an ack, and what it carries there: the
 * same on every backend and in the Weir server's event log.
 */

/** Suffix of the topic that receives events given up after `maxDeliver` deliveries. */
export const DEAD_LETTER_SUFFIX = ".dead-letter";

/** `river_pipeline` → `river_pipeline.dead-letter`. */
export function deadLetterTopic(topic: string): string {
  return topic + DEAD_LETTER_SUFFIX;
}

/**
 * The idempotency key of the dead letter of the event at `offset` of `topic`: an event given up by
 * several groups (or again after a restart) is stored in the dead-letter topic once.
 */
export function deadLetterKey(topic: string, offset: number): string {
  return `dead-letter:${topic}:${offset}`;
}

/**
 * The metadata of a dead letter: the event's own, plus why and after how many deliveries it was
 * given up, and where it came from.
 *
 * @example deadLetterMetadata({}, "nacked after 5 deliveries (maxDeliver 5)", "river_pipeline", 42, 5);
 */
export function deadLetterMetadata(
  metadata: Readonly<Record<string, string>>,
  reason: string,
  topic: string,
  offset: number,
  deliveryCount: number,
): Record<string, string> {
  return {
    ...metadata,
    "weir-dead-letter-reason": reason,
    "weir-source-topic": topic,
    "weir-source-offset": String(offset),
    "weir-delivery-count": String(deliveryCount),
  };
}

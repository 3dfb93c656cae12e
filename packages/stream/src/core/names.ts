import { InvalidTopicNameError } from "../errors.js";

const NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/** Suffix of the topic that receives events given up after `maxDeliver` deliveries. */
export const DEAD_LETTER_SUFFIX = ".dead-letter";

/** Throws {@link InvalidTopicNameError} unless `name` is a storable topic or group name. */
export function assertName(kind: "topic" | "group", name: string): void {
  if (typeof name !== "string" || name.length === 0 || name.length > 200 || !NAME.test(name))
    throw new InvalidTopicNameError(kind, String(name));
}

/** `river_pipeline` → `river_pipeline.dead-letter`. */
export function deadLetterTopic(topic: string): string {
  return topic + DEAD_LETTER_SUFFIX;
}

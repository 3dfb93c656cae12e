import { InvalidTopicNameError } from "../errors.js";

/**
 * What a topic or group name may hold: the one rule of every backend, checked by the common
 * `createTopic`/`publish`/`subscribe` path before any backend sees the name. A group is one token:
 * NATS JetStream names its durable consumer after it, and a consumer name cannot contain ".".
 */
const NAME_RULES = {
  topic: {
    pattern: /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/,
    allowed:
      'use 1–200 characters from A–Z, a–z, 0–9, "_", "-" and "." (no leading, trailing or doubled ".")',
  },
  group: {
    pattern: /^[A-Za-z0-9_-]+$/,
    allowed:
      'use 1–200 characters from A–Z, a–z, 0–9, "_" and "-" (no ".": a group is one token, as NATS ' +
      "JetStream requires of a consumer name)",
  },
} as const;

const MAX_NAME_LENGTH = 200;

/** Suffix of the topic that receives events given up after `maxDeliver` deliveries. */
export const DEAD_LETTER_SUFFIX = ".dead-letter";

/**
 * Throws {@link InvalidTopicNameError} unless `name` is a valid topic or group name on every backend.
 *
 * @example
 * assertName("topic", "river.metrics"); // fine
 * assertName("group", "a.b");           // throws: a group name may not contain "."
 */
export function assertName(kind: "topic" | "group", name: string): void {
  const rule = NAME_RULES[kind];
  if (
    typeof name !== "string" ||
    name.length === 0 ||
    name.length > MAX_NAME_LENGTH ||
    !rule.pattern.test(name)
  )
    throw new InvalidTopicNameError(kind, String(name), rule.allowed);
}

/** `river_pipeline` → `river_pipeline.dead-letter`. */
export function deadLetterTopic(topic: string): string {
  return topic + DEAD_LETTER_SUFFIX;
}

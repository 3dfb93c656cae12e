import { nameRuleBroken } from "@weir/protocol/stream";

import { InvalidTopicNameError } from "../errors.js";

export { DEAD_LETTER_SUFFIX, deadLetterTopic } from "@weir/protocol/stream";

/**
 * Throws {@link InvalidTopicNameError} unless `name` is a valid topic or group name on every
 * backend (the rule of `@weir/protocol/stream`, which the server's event log checks too), before
 * any backend sees the name.
 *
 * @example
 * assertName("topic", "river.metrics"); // fine
 * assertName("group", "a.b");           // throws: a group name may not contain "."
 */
export function assertName(kind: "topic" | "group", name: string): void {
  const allowed = nameRuleBroken(kind, name);
  if (allowed !== undefined) throw new InvalidTopicNameError(kind, String(name), allowed);
}

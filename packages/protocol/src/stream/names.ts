import { randomUUID } from "node:crypto";

/**
 * What a topic or group name may hold: the one rule of every backend and of the server's event log.
 * A group is one token: NATS JetStream names its durable consumer after it, and a consumer name
 * cannot contain ".".
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

/** The longest topic or group name. */
export const MAX_NAME_LENGTH = 200;

/** Longest part of a refused name quoted in a message. */
const QUOTED_NAME_CHARS = 100;

/**
 * Ephemeral readers (a subscription without a group) get a group of their own named `~<uuid>`: no
 * valid group name starts with "~", and topic summaries leave these groups out.
 */
const EPHEMERAL_GROUP_PREFIX = "~";

/** A new name for the group of an ephemeral reader. */
export function ephemeralGroupName(): string {
  return EPHEMERAL_GROUP_PREFIX + randomUUID();
}

/** Whether `group` is the group of an ephemeral reader ({@link ephemeralGroupName}). */
export function isEphemeralGroup(group: string): boolean {
  return group.startsWith(EPHEMERAL_GROUP_PREFIX);
}

/**
 * What a `kind` name may hold, as a sentence for an error message, when `name` breaks the rule;
 * `undefined` when it is a valid name.
 *
 * @example nameRuleBroken("group", "a.b"); // 'use 1–200 characters from A–Z, …'
 */
export function nameRuleBroken(kind: "topic" | "group", name: unknown): string | undefined {
  const rule = NAME_RULES[kind];
  const valid =
    typeof name === "string" && name.length > 0 && name.length <= MAX_NAME_LENGTH && rule.pattern.test(name);
  return valid ? undefined : rule.allowed;
}

/**
 * `"name"`, or `"first 100 characters…" (10000 characters)` for a longer one: how messages quote
 * a name they refuse.
 */
export function quoteName(name: string): string {
  if (name.length <= QUOTED_NAME_CHARS) return `"${name}"`;
  // Not between the two halves of a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(name.charAt(QUOTED_NAME_CHARS - 1))
    ? QUOTED_NAME_CHARS - 1
    : QUOTED_NAME_CHARS;
  return `"${name.slice(0, end)}…" (${name.length} characters)`;
}

/**
 * The message of a refused name, the same from every backend and the server.
 * @example invalidNameMessage("group", "a.b", allowed); // 'Invalid group name "a.b": use …'
 */
export function invalidNameMessage(kind: "topic" | "group", name: unknown, allowed: string): string {
  return `Invalid ${kind} name ${quoteName(String(name))}: ${allowed}.`;
}

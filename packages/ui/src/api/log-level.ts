import { LOG_LEVELS } from "./types.js";
import type { LogLevel } from "./types.js";

const NUMERIC: Record<number, LogLevel> = {
  10: "debug",
  20: "info",
  30: "warning",
  40: "error",
  50: "critical",
};

/** A log line's level as one of the five names (servers and loggers spell them differently). */
export function levelName(level: unknown): LogLevel {
  if (typeof level === "number") return NUMERIC[Math.floor(level / 10) * 10] ?? "info";
  const s = String(level).toLowerCase();
  if (s === "warn") return "warning";
  if (s === "fatal") return "critical";
  return (LOG_LEVELS as readonly string[]).includes(s) ? (s as LogLevel) : "info";
}

export function levelRank(level: unknown): number {
  return LOG_LEVELS.indexOf(levelName(level));
}

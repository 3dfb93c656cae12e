import type { Schedule } from "@weir/protocol";
import { Cron } from "croner";
import cronstrue from "cronstrue";

import { WeirHttpError } from "../errors.js";

/** Where interval slots are counted from when a schedule names no anchor: the same on every replica. */
const DEFAULT_ANCHOR = Date.parse("2000-01-01T00:00:00.000Z");

/** A schedule ready to compute slots: every slot is an epoch-ms instant. */
export interface SlotSource {
  /** The first slots strictly after `after`, at most `count`. */
  after(after: number, count: number): number[];
  /** The schedule in words, e.g. "Every 5 minutes (Europe/Berlin)". */
  readonly description: string;
}

function invalid(field: string, message: string): WeirHttpError {
  return new WeirHttpError(400, "WEIR_VALIDATION", `${field}: ${message}`);
}

/** Checks an IANA time zone name (the runtime's Intl data decides). */
function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    throw invalid(
      "schedule.timezone",
      `"${timezone}" is not a time zone; use an IANA name like Europe/Berlin or UTC.`,
    );
  }
}

function cronSource(cron: string, timezone: string): SlotSource {
  const fields = cron.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6)
    throw invalid(
      "schedule.cron",
      `"${cron}" has ${fields} fields; use 5 (minute hour day month weekday) or 6 (a leading seconds field).`,
    );
  checkTimezone(timezone);
  let job: Cron;
  try {
    // Vixie cron's DST rules (croner's): a job at a fixed time in a skipped hour runs right after the
    // gap, a fixed time that occurs twice runs once; interval jobs keep their real-time cadence.
    job = new Cron(cron, { timezone, mode: "5-or-6-parts", fixedTimeRule: "no-wildcard", paused: true });
  } catch (error) {
    throw invalid("schedule.cron", `"${cron}" is not a cron expression (${(error as Error).message}).`);
  }
  let words: string;
  try {
    words = cronstrue.toString(cron, { use24HourTimeFormat: true, verbose: false });
  } catch {
    words = cron;
  }
  return {
    description: `${words} (${timezone})`,
    after(after, count) {
      return job.nextRuns(count, new Date(after)).map((d) => d.getTime());
    },
  };
}

function plural(n: number, unit: string): string {
  return n === 1 ? `every ${unit}` : `every ${n} ${unit}s`;
}

/** "every 90 seconds", "every 5 minutes", "every 2 hours", "every day". */
function describeInterval(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1000, "second"],
  ];
  for (const [size, unit] of units) if (ms % size === 0) return plural(ms / size, unit);
  return `every ${ms} ms`;
}

function intervalSource(intervalMs: number, anchor: number): SlotSource {
  return {
    description: `${describeInterval(intervalMs)[0]!.toUpperCase()}${describeInterval(intervalMs).slice(1)}`,
    after(after, count) {
      const first = anchor + (Math.floor((after - anchor) / intervalMs) + 1) * intervalMs;
      return Array.from({ length: count }, (_, i) => first + i * intervalMs);
    },
  };
}

/**
 * The slot source of a deployment's schedule; a bad cron expression or time zone is a 400 naming it.
 * @example slotSource({ cron: "0 9 * * 1-5", timezone: "Europe/Berlin" }).after(Date.now(), 5);
 */
export function slotSource(schedule: Schedule): SlotSource {
  if ("cron" in schedule) return cronSource(schedule.cron, schedule.timezone ?? "UTC");
  return intervalSource(
    schedule.intervalMs,
    schedule.anchor === undefined ? DEFAULT_ANCHOR : Date.parse(schedule.anchor),
  );
}

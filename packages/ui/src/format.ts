import type { Run } from "./api/types.js";

/** Seconds a run has taken so far (live for running runs), or null if it never started. */
export function runSeconds(run: Run, now: number = Date.now()): number | null {
  if (!run.startTime) return null;
  const start = Date.parse(run.startTime);
  const end = run.endTime ? Date.parse(run.endTime) : now;
  if (Number.isNaN(start) || Number.isNaN(end)) return null;
  return Math.max(0, (end - start) / 1000);
}

/** `0.42s`, `12s`, `3m 05s`, `2h 10m`, `3d 4h`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds === 0) return "0s";
  if (seconds < 1) return `${seconds.toFixed(2)}s`;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Whether times are shown in the browser's time zone or in UTC. */
export type TimeZoneChoice = "local" | "utc";

const ZONE_KEY = "weir-time-zone";

function formatters(zone: TimeZoneChoice) {
  const timeZone = zone === "utc" ? "UTC" : undefined;
  return {
    dateTime: new Intl.DateTimeFormat(undefined, {
      timeZone,
      year: "numeric",
      month: "short",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "short",
    }),
    shortDateTime: new Intl.DateTimeFormat(undefined, {
      timeZone,
      month: "short",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    }),
    time: new Intl.DateTimeFormat(undefined, {
      timeZone,
      hourCycle: "h23",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      fractionalSecondDigits: 3,
    }),
    zoneName: timeZone ?? new Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
}

function storedZone(): TimeZoneChoice {
  try {
    return localStorage.getItem(ZONE_KEY) === "utc" ? "utc" : "local";
  } catch {
    return "local";
  }
}

let zone: TimeZoneChoice = typeof localStorage === "undefined" ? "local" : storedZone();
let fmt = formatters(zone);
const zoneListeners = new Set<() => void>();

/** The time zone every formatted time is shown in. */
export const timeZoneChoice = (): TimeZoneChoice => zone;

/** The IANA name of the zone times are shown in (`UTC`, `Europe/Paris`). */
export const timeZoneName = (): string => fmt.zoneName;

/** Shows every time in `next` from now on (remembered in this browser); subscribers re-render. */
export function setTimeZoneChoice(next: TimeZoneChoice): void {
  zone = next;
  fmt = formatters(next);
  try {
    localStorage.setItem(ZONE_KEY, next);
  } catch {
    // private mode: keep it for this page only
  }
  for (const listener of zoneListeners) listener();
}

/** For `useSyncExternalStore`: called when the time zone choice changes. */
export function subscribeTimeZone(listener: () => void): () => void {
  zoneListeners.add(listener);
  return () => zoneListeners.delete(listener);
}

/** `Dec 04, 2026, 14:45:03 UTC`: date, time and the zone it is in. */
export function formatDateTime(iso: string | null): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : fmt.dateTime.format(t);
}

/** `Dec 04, 02:45 PM`: a date and time that fits a narrow chart axis. */
export function formatShortDateTime(ms: number): string {
  return fmt.shortDateTime.format(ms);
}

/** `14:45:03.127`: a log line's time, to the millisecond. */
export function formatTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : fmt.time.format(t);
}

/** "3 min ago" style, for lists. */
export function formatAgo(iso: string | null, now: number = Date.now()): string {
  if (!iso) return "—";
  const s = (now - Date.parse(iso)) / 1000;
  if (Number.isNaN(s)) return iso;
  if (s < 5) return "just now";
  if (s < 60) return `${Math.round(s)}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function formatNumber(n: number, digits = 2): string {
  if (Number.isInteger(n)) return n.toLocaleString();
  return n.toLocaleString(undefined, { maximumFractionDigits: digits });
}

/** A list's total: `10,000+` when the server capped the count. */
export function formatTotal(page: { total: number; totalCapped: boolean }): string {
  return `${page.total.toLocaleString()}${page.totalCapped ? "+" : ""}`;
}

/** "in 4 min" style, for times to come (the next runs of a schedule); past times read as "due". */
export function formatIn(iso: string, now: number = Date.now()): string {
  const s = (Date.parse(iso) - now) / 1000;
  if (Number.isNaN(s)) return iso;
  if (s < 1) return "due";
  if (s < 60) return `in ${Math.round(s)}s`;
  if (s < 3600) return `in ${Math.round(s / 60)} min`;
  if (s < 86400) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86400)} d`;
}

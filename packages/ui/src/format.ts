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

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
const shortDateTime = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});
const time = new Intl.DateTimeFormat(undefined, {
  hourCycle: "h23",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
});

export function formatDateTime(iso: string | null): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : dateTime.format(t);
}

/** `Dec 04, 02:45 PM`: a date and time that fits a narrow chart axis. */
export function formatShortDateTime(ms: number): string {
  return shortDateTime.format(ms);
}

export function formatTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : time.format(t);
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

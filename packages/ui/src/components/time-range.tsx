import type { ReactNode } from "react";

/** The presets; `buckets` cuts each into round bars (1 min, 15 min, 2 h, 8 h) on the activity chart. */
export const RANGES = [
  { value: "1h", label: "Last hour", seconds: 3600, buckets: 60 },
  { value: "24h", label: "Last 24 hours", seconds: 86400, buckets: 96 },
  { value: "7d", label: "Last 7 days", seconds: 7 * 86400, buckets: 84 },
  { value: "30d", label: "Last 30 days", seconds: 30 * 86400, buckets: 90 },
  { value: "all", label: "All time", seconds: 0, buckets: 100 },
] as const;

export type RangeValue = (typeof RANGES)[number]["value"];

/** `since` for a range preset, rounded to the minute so it stays stable across renders. */
export function sinceOf(range: string): string | undefined {
  const preset = RANGES.find((r) => r.value === range);
  if (!preset || preset.seconds === 0) return undefined;
  const minute = Math.floor(Date.now() / 60000) * 60000;
  return new Date(minute - preset.seconds * 1000).toISOString();
}

/**
 * The activity chart's query of a range preset: the window ends at the end of the current minute,
 * so its buckets are round and stay stable across renders; "All time" starts at the oldest run.
 */
export function activityWindowOf(range: string): { from?: string; to?: string; buckets: number } {
  const preset = RANGES.find((r) => r.value === range) ?? RANGES[1];
  if (preset.seconds === 0) return { buckets: preset.buckets };
  const to = Math.floor(Date.now() / 60000) * 60000 + 60000;
  return {
    from: new Date(to - preset.seconds * 1000).toISOString(),
    to: new Date(to).toISOString(),
    buckets: preset.buckets,
  };
}

export function TimeRangeSelect(props: {
  id: string;
  value: string;
  onChange: (value: RangeValue) => void;
}): ReactNode {
  return (
    <label className="field" htmlFor={props.id}>
      <span>Time range</span>
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as RangeValue)}
      >
        {RANGES.map((r) => (
          <option key={r.value} value={r.value}>
            {r.label}
          </option>
        ))}
      </select>
    </label>
  );
}

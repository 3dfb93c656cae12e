import type { ReactNode } from "react";

export const RANGES = [
  { value: "1h", label: "Last hour", seconds: 3600 },
  { value: "24h", label: "Last 24 hours", seconds: 86400 },
  { value: "7d", label: "Last 7 days", seconds: 7 * 86400 },
  { value: "30d", label: "Last 30 days", seconds: 30 * 86400 },
  { value: "all", label: "All time", seconds: 0 },
] as const;

export type RangeValue = (typeof RANGES)[number]["value"];

/** `since` for a range preset, rounded to the minute so it stays stable across renders. */
export function sinceOf(range: string): string | undefined {
  const preset = RANGES.find((r) => r.value === range);
  if (!preset || preset.seconds === 0) return undefined;
  const minute = Math.floor(Date.now() / 60000) * 60000;
  return new Date(minute - preset.seconds * 1000).toISOString();
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

import type { MetricEvent, MetricSeries } from "./types.js";

/**
 * The most points a chart holds per metric: what the dashboard asks the server for
 * (`?maxPoints=`), and where pushed points start pushing the oldest out, so that a run that logs
 * forever keeps a chart as fast as a short one.
 */
export const MAX_METRIC_POINTS = 10_000;

type Point = MetricSeries["points"][number];
const pointKey = (p: Point): string => `${p.step}|${p.value}|${p.timestamp}`;

/** The points not in `held` (nor repeated among themselves); adds them to `held`. */
function unseen(held: Set<string>, points: readonly Point[]): Point[] {
  const fresh: Point[] = [];
  for (const p of points) {
    const key = pointKey(p);
    if (held.has(key)) continue;
    held.add(key);
    fresh.push(p);
  }
  return fresh;
}

/**
 * Adds pushed points to a run's series (creating a series for a new metric, in name order),
 * skipping points already held, and keeping each series to its latest `max` points.
 * @example client.setQueryData(key, (old) => old && addPoints(old, [point]));
 */
export function addPoints(
  series: MetricSeries[],
  points: readonly MetricEvent[],
  max = MAX_METRIC_POINTS,
): MetricSeries[] {
  const byName = new Map<string, Point[]>();
  for (const p of points) {
    const list = byName.get(p.name) ?? [];
    list.push({ step: p.step, value: p.value, timestamp: p.timestamp });
    byName.set(p.name, list);
  }
  let changed = false;
  const next = series.map((s) => {
    const pushed = byName.get(s.name);
    if (!pushed) return s;
    byName.delete(s.name);
    const fresh = unseen(new Set(s.points.map(pointKey)), pushed);
    if (fresh.length === 0) return s;
    changed = true;
    return { ...s, points: [...s.points, ...fresh].slice(-max) };
  });
  for (const [name, pushed] of byName) {
    next.push({ name, points: unseen(new Set(), pushed).slice(-max) });
    changed = true;
  }
  if (!changed) return series;
  return next.sort((a, b) => a.name.localeCompare(b.name));
}

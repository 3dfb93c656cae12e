import type { Stream } from "@weir/stream";

import { METRICS_TOPIC, MONITOR_GROUP } from "./topics.js";
import type { MetricsEvent } from "./topics.js";

/** Options of {@link monitorMetrics}. */
export interface MonitorMetricsOptions {
  readonly stream: Stream;
  /** Warn when precision or recall is below this. @default 0.6 */
  readonly threshold?: number;
  /** @default "river_metrics" */
  readonly topic?: string;
  /** @default "metrics-monitor" */
  readonly group?: string;
  /** Where the warnings go (the run logger's `warn`). */
  readonly warn: (message: string) => void;
  /** Called for every metrics event, after the warnings (e.g. to measure latency). */
  readonly onMetrics?: (metrics: MetricsEvent) => void;
  readonly signal?: AbortSignal;
}

/** Counts of what the monitor saw. */
export interface MonitorResult {
  readonly events: number;
  readonly precisionWarnings: number;
  readonly recallWarnings: number;
}

/**
 * Reads the metrics topic and warns `Precision is below threshold: <p>` and
 * `Recall is below threshold: <r>` whenever a value is below the threshold. Runs until aborted.
 *
 * @example
 * await monitorMetrics({ stream, threshold: 0.6, warn: (m) => getRunLogger().warn(m), signal });
 */
export async function monitorMetrics(options: MonitorMetricsOptions): Promise<MonitorResult> {
  const threshold = options.threshold ?? 0.6;
  const subscription = options.stream.subscribe(options.topic ?? METRICS_TOPIC, {
    group: options.group ?? MONITOR_GROUP,
    from: "earliest",
    signal: options.signal,
  });
  const stop = (): void => void subscription.close();
  options.signal?.addEventListener("abort", stop, { once: true });
  let events = 0;
  let precisionWarnings = 0;
  let recallWarnings = 0;
  let acks: Promise<void>[] = [];
  try {
    for await (const event of subscription) {
      const metrics = event.json<MetricsEvent>();
      events += 1;
      if (metrics.precision < threshold) {
        precisionWarnings += 1;
        options.warn(`Precision is below threshold: ${formatFloat(metrics.precision)}`);
      }
      if (metrics.recall < threshold) {
        recallWarnings += 1;
        options.warn(`Recall is below threshold: ${formatFloat(metrics.recall)}`);
      }
      options.onMetrics?.(metrics);
      acks.push(event.ack());
      if (acks.length >= 256) {
        await Promise.all(acks);
        acks = [];
      }
    }
  } finally {
    options.signal?.removeEventListener("abort", stop);
    await Promise.allSettled(acks);
    await subscription.close();
  }
  return { events, precisionWarnings, recallWarnings };
}

/** A float as Python prints it (`0.0`, `0.75`), so the warnings read like the original's. */
export function formatFloat(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

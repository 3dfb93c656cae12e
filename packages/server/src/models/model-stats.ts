import type { ModelStats } from "@weir/protocol";

/** Seconds the live figures cover. */
const WINDOW_SECONDS = 60;

/** Latency histogram: bin `i` holds latencies up to `MIN_MS · RATIO^i` (the last one: everything above). */
const MIN_MS = 0.01;
const RATIO = 1.08;
const BINS = 200;
const LOG_RATIO = Math.log(RATIO);

function binOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  return Math.min(BINS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_RATIO));
}

/** One second of one model. */
class Slot {
  second = -1;
  predictions = 0;
  labels = 0;
  correct = 0;
  readonly latency = new Uint32Array(BINS);

  reset(second: number): void {
    this.second = second;
    this.predictions = 0;
    this.labels = 0;
    this.correct = 0;
    this.latency.fill(0);
  }
}

/** The figures of one model: a ring of one-second slots. */
class ModelSeries {
  readonly slots = Array.from({ length: WINDOW_SECONDS }, () => new Slot());
  predictions = 0;
  labels = 0;

  slot(now: number): Slot {
    const second = Math.floor(now / 1000);
    const slot = this.slots[second % WINDOW_SECONDS] as Slot;
    if (slot.second !== second) slot.reset(second);
    return slot;
  }
}

function percentile(histogram: Uint32Array, total: number, q: number): number | null {
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < BINS; i++) {
    seen += histogram[i] as number;
    if (seen >= rank) return Math.round(MIN_MS * RATIO ** i * 1000) / 1000;
  }
  return null;
}

/**
 * Live serving figures per model, in memory: predictions per second and request latency
 * percentiles over the last minute (a log-scale histogram per second, ±4 %), label accuracy over
 * the same minute, and totals since the server started. Cheap to record: a few array writes.
 *
 * @example
 * stats.recordRequest("yelp-sentiment", 1000, reply.elapsedTime);
 * stats.get("yelp-sentiment").p99Ms;
 */
export class ModelStatsBook {
  readonly #series = new Map<string, ModelSeries>();

  #of(name: string): ModelSeries {
    let series = this.#series.get(name);
    if (series === undefined) {
      series = new ModelSeries();
      this.#series.set(name, series);
    }
    return series;
  }

  /** One predict request of `predictions` inputs that took `ms`. */
  recordRequest(name: string, predictions: number, ms: number, now = Date.now()): void {
    const series = this.#of(name);
    const slot = series.slot(now);
    slot.predictions += predictions;
    const bin = binOf(ms);
    slot.latency[bin] = (slot.latency[bin] as number) + 1;
    series.predictions += predictions;
  }

  /** Labels received for `name`, `correct` of them matching the prediction. */
  recordLabels(name: string, labels: number, correct: number, now = Date.now()): void {
    const series = this.#of(name);
    const slot = series.slot(now);
    slot.labels += labels;
    slot.correct += correct;
    series.labels += labels;
  }

  /** The figures of the last minute. */
  get(name: string, now = Date.now()): ModelStats {
    const series = this.#series.get(name);
    if (series === undefined)
      return { predictionsPerSecond: 0, p50Ms: null, p99Ms: null, predictions: 0, labels: 0, accuracy: null };
    const current = Math.floor(now / 1000);
    const histogram = new Uint32Array(BINS);
    let predictions = 0;
    let requests = 0;
    let labels = 0;
    let correct = 0;
    let oldest = current;
    for (const slot of series.slots) {
      if (slot.second <= current - WINDOW_SECONDS || slot.second > current) continue;
      oldest = Math.min(oldest, slot.second);
      predictions += slot.predictions;
      labels += slot.labels;
      correct += slot.correct;
      for (let i = 0; i < BINS; i++) {
        const n = slot.latency[i] as number;
        histogram[i] = (histogram[i] as number) + n;
        requests += n;
      }
    }
    // Over the seconds observed (a model served for 5 s is not averaged over a minute).
    const seconds = Math.max(1, current - oldest + 1);
    return {
      predictionsPerSecond: Math.round((predictions / seconds) * 10) / 10,
      p50Ms: percentile(histogram, requests, 0.5),
      p99Ms: percentile(histogram, requests, 0.99),
      predictions: series.predictions,
      labels: series.labels,
      accuracy: labels === 0 ? null : correct / labels,
    };
  }
}

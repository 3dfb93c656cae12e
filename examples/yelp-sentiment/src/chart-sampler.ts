/** Options of {@link ChartSampler}. */
export interface ChartSamplerOptions {
  /** Consider every n-th step only. @default 1 */
  readonly every?: number;
  /** At most this many points per second; 0 charts every considered step. @default 100 */
  readonly maxPerSecond?: number;
  /** Where the points go (e.g. `logMetric` of precision and recall). */
  readonly chart: (step: number, values: readonly number[]) => void;
  /** The clock, in milliseconds. @default performance.now */
  readonly now?: () => number;
}

/**
 * Decides which steps of a fast stream become chart points: every `every`-th step while the stream
 * is slow, at most `maxPerSecond` points when it is fast (a live chart cannot show 20,000 points a
 * second, and storing them would add 1.7 billion rows a day to the dashboard's database per
 * series). The latest step left out is remembered, and `flush()` charts it, so that the chart
 * always ends on the current values; call it on each checkpoint and when stopping.
 *
 * @example
 * const sampler = new ChartSampler({ chart: (n, [p, r]) => { logMetric("precision", p!, { step: n }); logMetric("recall", r!, { step: n }); } });
 * sampler.offer(step.n, [step.precision, step.recall]);
 * sampler.flush();
 */
export class ChartSampler {
  readonly #every: number;
  readonly #gapMs: number;
  readonly #chart: (step: number, values: readonly number[]) => void;
  readonly #now: () => number;
  #lastAt = Number.NEGATIVE_INFINITY;
  /** The latest step not charted (-1: none). */
  #pendingStep = -1;
  #pendingValues: readonly number[] = [];

  constructor(options: ChartSamplerOptions) {
    this.#every = Math.max(1, Math.round(options.every ?? 1));
    const maxPerSecond = options.maxPerSecond ?? 100;
    this.#gapMs = maxPerSecond > 0 ? 1000 / maxPerSecond : 0;
    this.#chart = options.chart;
    this.#now = options.now ?? (() => performance.now());
  }

  /** A new step with its values (the array is kept as given until charted or replaced). */
  offer(step: number, values: readonly number[]): void {
    if (step % this.#every === 0) {
      const now = this.#now();
      if (now - this.#lastAt >= this.#gapMs) {
        this.#lastAt = now;
        this.#pendingStep = -1;
        this.#chart(step, values);
        return;
      }
    }
    this.#pendingStep = step;
    this.#pendingValues = values;
  }

  /** Charts the latest step left out, if any. */
  flush(): void {
    if (this.#pendingStep < 0) return;
    const step = this.#pendingStep;
    this.#pendingStep = -1;
    this.#lastAt = this.#now();
    this.#chart(step, this.#pendingValues);
  }
}

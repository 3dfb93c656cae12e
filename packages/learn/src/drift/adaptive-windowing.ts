import type { StateNode } from "../internal/checkpoint-reader.js";

/**
 * The bucket machinery behind ADWIN, a port of River 0.24's Cython `AdaptiveWindowing`
 * (exponential histogram of buckets, Babcock et al. 2003 variance merging). Every entry of every
 * bucket is a candidate cut (older River releases skipped the last one); the golden drift traces
 * pin this, down to the window's width, mean and variance at each step. @internal
 */
export interface AdaptiveWindowingState {
  delta: number;
  clock: number;
  maxBuckets: number;
  minWindowLength: number;
  gracePeriod: number;
  total: number;
  variance: number;
  width: number;
  nBuckets: number;
  tick: number;
  totalWidth: number;
  nDetections: number;
  maxNBuckets: number;
  /** Per row: `[currentIdx, totals, variances]`. */
  rows: [number, number[], number[]][];
}

class Bucket {
  currentIdx = 0;
  readonly totals: Float64Array;
  readonly variances: Float64Array;

  constructor(maxSize: number) {
    this.totals = new Float64Array(maxSize + 1);
    this.variances = new Float64Array(maxSize + 1);
  }

  insert(value: number, variance: number): void {
    this.totals[this.currentIdx] = value;
    this.variances[this.currentIdx] = variance;
    this.currentIdx += 1;
  }

  compress(n: number): void {
    const len = this.totals.length;
    for (let i = n; i < len; i++) {
      this.totals[i - n] = this.totals[i] as number;
      this.variances[i - n] = this.variances[i] as number;
    }
    for (let i = len - n; i < len; i++) {
      this.totals[i] = 0;
      this.variances[i] = 0;
    }
    this.currentIdx -= n;
  }
}

export class AdaptiveWindowing {
  readonly delta: number;
  readonly clock: number;
  readonly maxBuckets: number;
  readonly minWindowLength: number;
  readonly gracePeriod: number;
  total = 0;
  variance = 0;
  width = 0;
  nDetections = 0;
  private buckets: Bucket[];
  private nBuckets = 0;
  private tick = 0;
  private totalWidth = 0;
  private maxNBuckets = 0;

  constructor(
    delta: number,
    clock: number,
    maxBuckets: number,
    minWindowLength: number,
    gracePeriod: number,
  ) {
    this.delta = delta;
    this.clock = clock;
    this.maxBuckets = maxBuckets;
    this.minWindowLength = minWindowLength;
    this.gracePeriod = gracePeriod;
    this.buckets = [new Bucket(maxBuckets)];
  }

  update(value: number): boolean {
    this.insertElement(value, 0.0);
    return this.detectChange();
  }

  private insertElement(value: number, variance: number): void {
    (this.buckets[0] as Bucket).insert(value, variance);
    this.nBuckets += 1;
    if (this.nBuckets > this.maxNBuckets) this.maxNBuckets = this.nBuckets;
    this.width += 1;
    let inc = 0.0;
    if (this.width > 1.0) {
      inc =
        ((this.width - 1.0) *
          (value - this.total / (this.width - 1.0)) *
          (value - this.total / (this.width - 1.0))) /
        this.width;
    }
    this.variance += inc;
    this.total += value;
    this.compressBuckets();
  }

  private deleteElement(): number {
    const bucket = this.buckets[this.buckets.length - 1] as Bucket;
    const n = 2 ** (this.buckets.length - 1);
    const u = bucket.totals[0] as number;
    const mu = u / n;
    const v = bucket.variances[0] as number;
    this.width -= n;
    this.total -= u;
    const muWindow = this.total / this.width;
    const inc = v + (n * this.width * (mu - muWindow) * (mu - muWindow)) / (n + this.width);
    this.variance -= inc;
    bucket.compress(1);
    this.nBuckets -= 1;
    if (bucket.currentIdx === 0) this.buckets.pop();
    return n;
  }

  private compressBuckets(): void {
    let idx = 0;
    let bucket: Bucket | undefined = this.buckets[0];
    while (bucket !== undefined) {
      if (bucket.currentIdx === this.maxBuckets + 1) {
        let next = this.buckets[idx + 1];
        if (next === undefined) {
          next = new Bucket(this.maxBuckets);
          this.buckets.push(next);
        }
        const n1 = 2 ** idx;
        const n2 = 2 ** idx;
        const mu1 = (bucket.totals[0] as number) / n1;
        const mu2 = (bucket.totals[1] as number) / n2;
        const total12 = (bucket.totals[0] as number) + (bucket.totals[1] as number);
        const temp = (n1 * n2 * (mu1 - mu2) * (mu1 - mu2)) / (n1 + n2);
        const v12 = (bucket.variances[0] as number) + (bucket.variances[1] as number) + temp;
        next.insert(total12, v12);
        this.nBuckets += 1;
        bucket.compress(2);
        if (next.currentIdx <= this.maxBuckets) break;
      } else {
        break;
      }
      bucket = this.buckets[idx + 1];
      idx += 1;
    }
  }

  private detectChange(): boolean {
    let changeDetected = false;
    let exit = false;
    this.tick += 1;
    if (this.tick % this.clock === 0 && this.width > this.gracePeriod) {
      let reduceWidth = true;
      while (reduceWidth) {
        reduceWidth = false;
        exit = false;
        let n0 = 0.0;
        let n1 = this.width;
        let u0 = 0.0;
        let u1 = this.total;
        for (let idx = this.buckets.length - 1; idx >= 0; idx--) {
          if (exit) break;
          const bucket = this.buckets[idx] as Bucket;
          for (let k = 0; k < bucket.currentIdx; k++) {
            // River also accumulates sub-window variances here, but never reads them.
            n0 += 2 ** idx;
            n1 -= 2 ** idx;
            u0 += bucket.totals[k] as number;
            u1 -= bucket.totals[k] as number;
            if (idx === 0 && k === bucket.currentIdx - 1) {
              exit = true;
              break;
            }
            const deltaMean = u0 / n0 - u1 / n1;
            if (
              n1 >= this.minWindowLength &&
              n0 >= this.minWindowLength &&
              this.evaluateCut(n0, n1, deltaMean)
            ) {
              reduceWidth = true;
              changeDetected = true;
              if (this.width > 0) {
                n0 -= this.deleteElement();
                exit = true;
                break;
              }
            }
          }
        }
      }
    }
    this.totalWidth += this.width;
    if (changeDetected) this.nDetections += 1;
    return changeDetected;
  }

  private evaluateCut(n0: number, n1: number, deltaMean: number): boolean {
    const deltaPrime = Math.log((2 * Math.log(this.width)) / this.delta);
    const mRecip = 1.0 / (n0 - this.minWindowLength + 1) + 1.0 / (n1 - this.minWindowLength + 1);
    const epsilon =
      Math.sqrt(2 * mRecip * (this.variance / this.width) * deltaPrime) + (2 / 3) * deltaPrime * mRecip;
    return Math.abs(deltaMean) > epsilon;
  }

  state(): AdaptiveWindowingState {
    return {
      delta: this.delta,
      clock: this.clock,
      maxBuckets: this.maxBuckets,
      minWindowLength: this.minWindowLength,
      gracePeriod: this.gracePeriod,
      total: this.total,
      variance: this.variance,
      width: this.width,
      nBuckets: this.nBuckets,
      tick: this.tick,
      totalWidth: this.totalWidth,
      nDetections: this.nDetections,
      maxNBuckets: this.maxNBuckets,
      rows: this.buckets.map((b) => [b.currentIdx, Array.from(b.totals), Array.from(b.variances)]),
    };
  }

  /**
   * Restores the state saved by `state()`, checking each field and that the buckets hold the
   * window: as many values as `width`, adding up to `total`.
   */
  static fromState(s: StateNode): AdaptiveWindowing {
    const count = { integer: true, min: 0 };
    const maxBuckets = s.number("maxBuckets", { integer: true, min: 1 });
    const w = new AdaptiveWindowing(
      s.number("delta", { exclusiveMin: 0 }),
      s.number("clock", { integer: true, min: 1 }),
      maxBuckets,
      s.number("minWindowLength", { integer: true, min: 1 }),
      s.number("gracePeriod", count),
    );
    w.total = s.number("total");
    w.variance = s.number("variance");
    w.width = s.number("width", count);
    w.nBuckets = s.number("nBuckets", count);
    w.tick = s.number("tick", count);
    w.totalWidth = s.number("totalWidth", count);
    w.nDetections = s.number("nDetections", count);
    w.maxNBuckets = s.number("maxNBuckets", count);
    const rows = s.tuples("rows", 3);
    if (rows.length === 0) s.fail(".rows", "at least one row of buckets", undefined, "", "none");
    let width = 0;
    const values: number[] = [];
    w.buckets = rows.map((row, i) => {
      const b = new Bucket(maxBuckets);
      b.currentIdx = row.number(0, { integer: true, min: 0, max: maxBuckets });
      b.totals.set(row.numbers(1, maxBuckets + 1));
      b.variances.set(row.numbers(2, maxBuckets + 1));
      width += b.currentIdx * 2 ** i;
      values.push(...b.totals.subarray(0, b.currentIdx));
      return b;
    });
    if (w.width !== width) s.fail(".width", `${width} (the values in ${s.path}.rows)`, w.width);
    s.checkSum(".total", w.total, values, `the sum of ${s.path}.rows`);
    return w;
  }
}

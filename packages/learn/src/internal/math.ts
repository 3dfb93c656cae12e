/**
 * `scipy.special.logsumexp` as SciPy ≥ 1.15 computes it: the maximal terms are taken out of the
 * sum and the rest goes through `log1p`, which is what River's probabilities were computed with.
 * Works on the first `n` values of `a`.
 */
export function logSumExp(a: ArrayLike<number>, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = a[i] as number;
    if (v > max) max = v;
  }
  if (n === 0) return -Infinity;
  if (!Number.isFinite(max)) {
    // Degenerate inputs: fall back to the textbook formula.
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.exp((a[i] as number) - max);
    return Math.log(s) + max;
  }
  let m = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = a[i] as number;
    if (v === max) m++;
    else s += Math.exp(v - max);
  }
  if (s !== 0) s = s / m;
  return Math.log1p(s) + Math.log(m) + max;
}

/** River's `utils.math.sigmoid`. */
export function sigmoid(x: number): number {
  if (x < -30) return 0.0;
  if (x > 30) return 1.0;
  return 1 / (1 + Math.exp(-x));
}

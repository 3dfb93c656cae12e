/** Formatting of the figures the model pages show. */

/** `0.21 ms`, `12 ms`; `—` when there were no requests to measure. */
export function formatLatency(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  return `${ms < 10 ? ms.toFixed(2) : Math.round(ms).toLocaleString()} ms`;
}

/** `0/s`, `0.05/s`, `3.4/s`, `1,250/s`: a few requests a minute still show. */
export function formatRate(perSecond: number): string {
  const digits = perSecond >= 100 ? 0 : perSecond >= 1 ? 1 : 2;
  return `${perSecond.toLocaleString(undefined, { maximumFractionDigits: digits })}/s`;
}

/** A score in [0, 1] as a percentage, `91.3%`; `—` when there was nothing to score. */
export function formatScore(score: number | null | undefined): string {
  if (score === null || score === undefined || !Number.isFinite(score)) return "—";
  return `${(score * 100).toFixed(1)}%`;
}

/** `812 B`, `14.2 kB`, `3.1 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/**
 * A model's aliases, the ones people set first (alphabetically) and the implicit `latest` last.
 * @example sortedAliases({ latest: 3, production: 2 }); // [["production", 2], ["latest", 3]]
 */
export function sortedAliases(aliases: Record<string, number>): [string, number][] {
  const rank = (alias: string): number => (alias === "latest" ? 1 : 0);
  return Object.entries(aliases).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

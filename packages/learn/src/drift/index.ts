/**
 * The `drift` namespace: `new drift.ADWIN()`, `new drift.PageHinkley()`.
 *
 * @example
 * ```ts
 * const detector = new drift.ADWIN();
 * detector.update(0.5);
 * ```
 */
export { ADWIN } from "./adwin.js";
export type { ADWINOptions } from "./adwin.js";
export { PageHinkley } from "./page-hinkley.js";
export type { PageHinkleyOptions } from "./page-hinkley.js";

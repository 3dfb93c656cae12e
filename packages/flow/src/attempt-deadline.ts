import { WeirTimeoutError } from "./errors.js";

/**
 * The time limit of one attempt (`timeoutMs`). Its `signal` is the one the function gets: linked to
 * the enclosing run's signal, and aborted with a {@link WeirTimeoutError} when the attempt runs too long.
 * `race` rejects at that moment even if the function ignores its signal, so a stuck attempt cannot hold
 * the run past its limit; an attempt whose synchronous code overran the limit (no timer could fire
 * meanwhile) is timed out as soon as it hands back control. Internal.
 * @example
 * const deadline = new AttemptDeadline("score", 5000, parentSignal);
 * const value = await deadline.race(fn(deadline.signal));
 */
export class AttemptDeadline {
  readonly signal: AbortSignal;
  /** The error of this attempt's timeout (one per attempt, so that `expired` tells it from any other). */
  readonly error: WeirTimeoutError | undefined;
  readonly #ms: number | undefined;
  readonly #controller = new AbortController();
  readonly #startedAt = Date.now();

  constructor(name: string, ms: number | undefined, outer?: AbortSignal) {
    this.#ms = ms;
    this.error = ms === undefined ? undefined : new WeirTimeoutError(name, ms);
    const own = this.#controller.signal;
    if (outer === undefined) this.signal = own;
    else this.signal = ms === undefined ? outer : AbortSignal.any([outer, own]);
  }

  /** Whether this attempt's own time limit ran out (not the enclosing run's). */
  get expired(): boolean {
    const own = this.#controller.signal;
    return own.aborted && own.reason === this.error;
  }

  /** Settles like `running`, or rejects with the timeout error once the limit is reached. */
  race<R>(running: Promise<R>): Promise<R> {
    const ms = this.#ms;
    const error = this.error;
    if (ms === undefined || error === undefined) return running;
    if (Date.now() - this.#startedAt >= ms) {
      // Synchronous code already used up the time: its result (even a success) comes too late.
      running.catch(() => undefined);
      this.#controller.abort(error);
      return Promise.reject(error);
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          this.#controller.abort(error);
          reject(error);
        },
        this.#startedAt + ms - Date.now(),
      );
    });
    return Promise.race([running, deadline]).finally(() => clearTimeout(timer));
  }
}

import type { QueryClient, QueryKey } from "@tanstack/react-query";
import { hashKey } from "@tanstack/react-query";

interface ThrottleWindow {
  timer: ReturnType<typeof setTimeout>;
  again: boolean;
}

/**
 * Invalidates a query at most once per window, leading and trailing: the first change is fetched at
 * once, any number of changes during the window make one more fetch at its end. A burst of live
 * events thus costs two requests, and a steady stream one per window, whatever its rate. Only
 * queries on screen are fetched; the others are marked stale and fetched when shown again.
 * @example invalidator.schedule(queryKeys.stats({ since }), 2000);
 */
export class ThrottledInvalidator {
  readonly #client: QueryClient;
  readonly #windows = new Map<string, ThrottleWindow>();

  constructor(client: QueryClient) {
    this.#client = client;
  }

  schedule(queryKey: QueryKey, windowMs: number): void {
    const hash = hashKey(queryKey);
    const open = this.#windows.get(hash);
    if (open) open.again = true;
    else this.#fire(hash, queryKey, windowMs);
  }

  /** Cancels every pending trailing invalidation. */
  stop(): void {
    for (const w of this.#windows.values()) clearTimeout(w.timer);
    this.#windows.clear();
  }

  #fire(hash: string, queryKey: QueryKey, windowMs: number): void {
    void this.#client.invalidateQueries({ queryKey, exact: true });
    const throttle: ThrottleWindow = {
      again: false,
      timer: setTimeout(() => {
        this.#windows.delete(hash);
        if (throttle.again) this.#fire(hash, queryKey, windowMs);
      }, windowMs),
    };
    this.#windows.set(hash, throttle);
  }
}

import { QueryClient } from "@tanstack/react-query";

import { ApiError } from "../errors.js";

/** How many times a failed read is tried again before the page shows the error. */
const MAX_RETRIES = 3;

/**
 * Whether a failed read is worth trying again: not when the server said the request itself was
 * wrong or the thing does not exist (4xx; trying again gives the same answer), and at most
 * {@link MAX_RETRIES} times for everything else (network errors, 5xx while a server restarts).
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < MAX_RETRIES;
}

/** 1 s, 2 s, 4 s … up to 30 s, each between half and all of it, so that tabs do not retry in step. */
export function retryDelay(failureCount: number): number {
  const ceiling = Math.min(1000 * 2 ** failureCount, 30_000);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * The dashboard's query cache. Data stays fresh through the live channel (see `live-sync.ts`), not
 * through polling or refetch-on-focus, so:
 * - `staleTime` 30 s: a page opened again within that time shows the cache and fetches nothing,
 *   unless the live channel said the data changed or was not connected meanwhile;
 * - no refetch on window focus or on the browser's online event: the live channel's reconnect
 *   catches up instead, once, for what it covers;
 * - `networkMode: "always"`: the Weir server is often on this machine, reachable while the browser
 *   believes it is offline.
 * @example const client = createQueryClient(); <QueryClientProvider client={client}>…
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        gcTime: 5 * 60_000,
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
        networkMode: "always",
        retry: shouldRetry,
        retryDelay,
      },
    },
  });
}

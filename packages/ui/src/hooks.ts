import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState, useSyncExternalStore } from "react";

import type { LiveStatus } from "./api/live-sync.js";
import { liveSyncOf } from "./api/live-sync.js";

/** The current time, refreshed every `ms` while `active` (live durations of running runs). */
export function useNow(ms = 1000, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms, active]);
  return now;
}

/** A value persisted in localStorage. */
export function useStored<T extends string>(key: string, initial: T): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => {
    try {
      return (localStorage.getItem(key) as T | null) ?? initial;
    } catch {
      return initial;
    }
  });
  const set = useCallback(
    (v: T) => {
      setValue(v);
      try {
        localStorage.setItem(key, v);
      } catch {
        // private mode: keep it in memory only
      }
    },
    [key],
  );
  return [value, set];
}

const noSubscription = (): (() => void) => () => {};
const offline = (): LiveStatus => "offline";

/** The live channel's state, whatever the page shows (see `LiveSync`). */
export function useLiveStatus(): LiveStatus {
  const sync = liveSyncOf(useQueryClient());
  return useSyncExternalStore(sync?.subscribeStatus ?? noSubscription, sync?.status ?? offline);
}

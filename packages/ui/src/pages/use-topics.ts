import { useEffect } from "react";

import { api } from "../api/client.js";
import type { Topic } from "../api/types.js";
import type { AsyncState } from "../hooks.js";
import { useAsync } from "../hooks.js";

/**
 * The topics list, refreshed every few seconds: the event log pushes no rate changes on
 * `/api/events`, so this is the one small poll the dashboard makes.
 */
export function useTopics(everyMs = 3000): AsyncState<Topic[]> {
  const topics = useAsync((signal) => api.topics(signal), []);
  const { reload } = topics;
  useEffect(() => {
    const id = setInterval(() => {
      if (document.visibilityState === "visible") reload();
    }, everyMs);
    return () => clearInterval(id);
  }, [everyMs, reload]);
  return topics;
}

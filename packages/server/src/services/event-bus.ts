import type { LiveEvent } from "@weir/protocol";

/** Receives live events. */
export type LiveListener = (event: LiveEvent) => void;

/** The run an event belongs to (used by `?runId=` filters). */
export function eventRunIds(event: LiveEvent): (string | null)[] {
  switch (event.type) {
    case "run":
      return [event.data.id, event.data.flowRunId, event.data.parentRunId];
    case "log":
      return [event.data.runId, event.data.taskRunId];
    case "metric":
    case "artifact":
      return [event.data.runId];
  }
}

/**
 * In-process fan-out of stored changes to live subscribers (the SSE endpoint). Publishing is
 * synchronous and cheap when nobody listens, so the ingest path can always call it.
 */
export class EventBus {
  readonly #listeners = new Set<LiveListener>();

  /** How many subscribers exist (ingest skips building events when there are none). */
  get size(): number {
    return this.#listeners.size;
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: LiveListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Delivers an event to every subscriber; a throwing subscriber does not stop the others. */
  publish(event: LiveEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // a broken subscriber must not break the writer
      }
    }
  }
}

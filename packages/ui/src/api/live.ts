import { useEffect, useRef, useSyncExternalStore } from "react";

import type { Artifact, LogLine, MetricEvent, Run } from "./types.js";

/** What the server pushes on `GET /api/events` (docs/api.md, "Live push"). */
export interface LiveHandlers {
  run?: (run: Run) => void;
  log?: (line: LogLine) => void;
  metric?: (point: MetricEvent) => void;
  artifact?: (artifact: Artifact) => void;
  /** Called when the stream reconnects after a drop: events may have been missed, so refetch. */
  reconnect?: () => void;
}

type Listener = { current: LiveHandlers };

interface Channel {
  source: EventSource;
  listeners: Set<Listener>;
  hadError: boolean;
}

const channels = new Map<string, Channel>();
let connected = false;
const statusListeners = new Set<() => void>();
const setConnected = (value: boolean): void => {
  if (connected === value) return;
  connected = value;
  for (const l of statusListeners) l();
};

function parse(ev: MessageEvent<unknown>): unknown {
  if (typeof ev.data !== "string") return null;
  try {
    return JSON.parse(ev.data) as unknown;
  } catch {
    return null;
  }
}

function open(url: string): Channel {
  const source = new EventSource(url);
  const channel: Channel = { source, listeners: new Set(), hadError: false };
  const each = (fn: (h: LiveHandlers) => void): void => {
    for (const l of channel.listeners) fn(l.current);
  };
  source.addEventListener("open", () => {
    setConnected(true);
    if (channel.hadError) each((h) => h.reconnect?.());
    channel.hadError = false;
  });
  source.addEventListener("error", () => {
    channel.hadError = true;
    setConnected(false);
  });
  source.addEventListener("run", (ev: MessageEvent<unknown>) => {
    const run = parse(ev) as Run;
    each((h) => h.run?.(run));
  });
  source.addEventListener("log", (ev: MessageEvent<unknown>) => {
    const line = parse(ev) as LogLine;
    each((h) => h.log?.(line));
  });
  source.addEventListener("metric", (ev: MessageEvent<unknown>) => {
    const point = parse(ev) as MetricEvent;
    each((h) => h.metric?.(point));
  });
  source.addEventListener("artifact", (ev: MessageEvent<unknown>) => {
    const artifact = parse(ev) as Artifact;
    each((h) => h.artifact?.(artifact));
  });
  return channel;
}

/**
 * Subscribes a component to the server's live push. One EventSource per distinct URL is shared
 * by every component that listens to it, and closed when the last one unmounts.
 *
 * @example useLive({ run: (r) => setRun(r) }, runId);
 */
export function useLive(handlers: LiveHandlers, runId?: string): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const url = runId ? `/api/events?runId=${encodeURIComponent(runId)}` : "/api/events";
    let channel = channels.get(url);
    if (!channel) {
      channel = open(url);
      channels.set(url, channel);
    }
    const listener: Listener = ref;
    channel.listeners.add(listener);
    const ch = channel;
    return () => {
      ch.listeners.delete(listener);
      if (ch.listeners.size === 0) {
        ch.source.close();
        channels.delete(url);
      }
    };
  }, [runId]);
}

/** `true` while at least one live stream is open. */
export function useLiveStatus(): boolean {
  return useSyncExternalStore(
    (cb) => {
      statusListeners.add(cb);
      return () => statusListeners.delete(cb);
    },
    () => connected,
  );
}

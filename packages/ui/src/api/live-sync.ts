import type { Query, QueryClient, QueryKey } from "@tanstack/react-query";

import type { EventSourceLike } from "./live-channel.js";
import { LiveChannel } from "./live-channel.js";
import { LiveCache } from "./live-cache.js";
import type { LiveScope } from "./query-keys.js";
import { covers, liveScopeOf, liveUrl } from "./query-keys.js";

export interface LiveSyncOptions {
  /**
   * How long a query waits for its live stream to connect before reading anyway (a stream that
   * connects later makes the queries it covers fetch again).
   * @default 1500
   */
  connectWaitMs?: number;
  /**
   * How long a stream no view needs any more stays open, so that moving between two pages that
   * need the same stream does not reconnect it.
   * @default 250
   */
  releaseMs?: number;
  /** Opens an event stream. @default (url) => new EventSource(url) */
  createSource?: (url: string) => EventSourceLike;
}

interface Stream {
  channel: LiveChannel;
  /** Resolves once connected, or at the connect deadline. */
  ready: Promise<void>;
  settleReady: () => void;
  deadline: ReturnType<typeof setTimeout>;
  waitedOut: boolean;
  everOpened: boolean;
}

const syncs = new WeakMap<QueryClient, LiveSync>();

/**
 * The stream kept open while no view needs one, so that the top bar tells the live channel's real
 * state on every page: the run with the nil id, which has no events, only the server's keep-alives.
 */
const IDLE_SCOPE: LiveScope = { runId: "00000000-0000-0000-0000-000000000000" };

/** The live channel as the top bar shows it: connecting at first, then live or offline. */
export type LiveStatus = "connecting" | "live" | "offline";

/**
 * Resolves once the live stream that keeps `queryKey` fresh is connected (or it waited
 * `connectWaitMs`). A query function awaits it before reading, so that no change can be stored
 * between its read and the moment the stream carries changes: subscribe first, then read.
 * @example queryFn: async ({ client, queryKey, signal }) => { await whenLive(client, queryKey); … }
 */
export function whenLive(client: QueryClient, queryKey: QueryKey): Promise<void> {
  return syncs.get(client)?.whenLive(queryKey) ?? Promise.resolve();
}

/** The {@link LiveSync} started on a client, if any. */
export function liveSyncOf(client: QueryClient): LiveSync | undefined {
  return syncs.get(client);
}

/**
 * Keeps the query cache live. It opens the `/api/events` streams that the queries on screen need
 * (a run's page needs only that run's stream; lists and counts need the whole one) and closes
 * those no view needs, opening the new stream before closing the old so that no change falls in
 * between. Events go to a {@link LiveCache}. Whatever a stream kept fresh is marked stale when the
 * stream closes, so that a view shown again shows its cached data at once and fetches the current
 * state behind it; after a dropped stream reconnects, what it covers is fetched again. While no view
 * needs a stream (models, topics), an idle one stays open, so that {@link LiveSync.status} is the
 * channel's real state whatever the page.
 * @example const stop = new LiveSync(client).start();
 */
export class LiveSync {
  readonly #client: QueryClient;
  readonly #connectWaitMs: number;
  readonly #releaseMs: number;
  readonly #createSource: ((url: string) => EventSourceLike) | undefined;
  readonly #streams = new Map<string, Stream>();
  readonly #statusListeners = new Set<() => void>();
  #cache: LiveCache | undefined;
  #status: LiveStatus = "connecting";
  #release: ReturnType<typeof setTimeout> | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(client: QueryClient, options: LiveSyncOptions = {}) {
    this.#client = client;
    this.#connectWaitMs = options.connectWaitMs ?? 1500;
    this.#releaseMs = options.releaseMs ?? 250;
    this.#createSource = options.createSource;
  }

  /** Starts following the cache's observers; returns the function that stops everything. */
  start(): () => void {
    this.#cache = new LiveCache(this.#client);
    syncs.set(this.#client, this);
    this.#unsubscribe = this.#client.getQueryCache().subscribe((event) => {
      if (event.type === "observerAdded") this.#openWanted();
      else if (event.type === "observerRemoved" || event.type === "removed") this.#scheduleRelease();
    });
    this.#openWanted();
    // A page that needs no stream gets the idle one once it has settled.
    this.#scheduleRelease();
    return () => this.stop();
  }

  stop(): void {
    this.#unsubscribe?.();
    clearTimeout(this.#release);
    for (const url of [...this.#streams.keys()]) this.#close(url, false);
    this.#cache?.stop();
    if (syncs.get(this.#client) === this) syncs.delete(this.#client);
  }

  /** Whether a stream is connected now (one always is wanted, see {@link IDLE_SCOPE}). */
  readonly status = (): LiveStatus => this.#status;

  readonly subscribeStatus = (listener: () => void): (() => void) => {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  };

  /** The streams open or opening, by address (for tests and diagnostics). */
  get streams(): string[] {
    return [...this.#streams.keys()];
  }

  async whenLive(queryKey: QueryKey): Promise<void> {
    const scope = liveScopeOf(queryKey);
    if (scope === null) return;
    let pending: Promise<void> | undefined;
    for (const stream of this.#streams.values()) {
      if (!covers(stream.channel.scope, scope)) continue;
      if (stream.channel.isOpen) return;
      pending ??= stream.ready;
    }
    await pending;
  }

  /** The streams the queries on screen need, or the idle one if they need none. */
  #wantedOrIdle(): Map<string, LiveScope> {
    const wanted = this.#wanted();
    return wanted.size > 0 ? wanted : new Map([[liveUrl(IDLE_SCOPE), IDLE_SCOPE]]);
  }

  /** The streams the queries on screen need: the whole one if any needs it, else one per run. */
  #wanted(): Map<string, LiveScope> {
    const runs = new Map<string, LiveScope>();
    for (const query of this.#client.getQueryCache().getAll()) {
      // A query on screen but disabled (say, a run's deployment when it has none) needs no stream.
      if (query.getObserversCount() === 0 || query.isDisabled()) continue;
      const scope = liveScopeOf(query.queryKey);
      if (scope === null) continue;
      if (scope === "all") return new Map([[liveUrl("all"), "all"]]);
      runs.set(liveUrl(scope), scope);
    }
    return runs;
  }

  #openWanted(): void {
    for (const [url, scope] of this.#wanted()) if (!this.#streams.has(url)) this.#open(url, scope);
  }

  #scheduleRelease(): void {
    clearTimeout(this.#release);
    this.#release = setTimeout(() => this.#settle(), this.#releaseMs);
  }

  /** Opens what is wanted; closes what is not, once everything wanted is connected. */
  #settle(): void {
    const wanted = this.#wantedOrIdle();
    for (const [url, scope] of wanted) if (!this.#streams.has(url)) this.#open(url, scope);
    const allConnected = [...wanted.keys()].every((url) => this.#streams.get(url)?.channel.isOpen);
    if (!allConnected) return;
    for (const url of [...this.#streams.keys()]) if (!wanted.has(url)) this.#close(url, true);
  }

  #open(url: string, scope: LiveScope): void {
    let settleReady = (): void => {};
    const ready = new Promise<void>((resolve) => (settleReady = resolve));
    const stream: Stream = {
      ready,
      settleReady,
      waitedOut: false,
      everOpened: false,
      deadline: setTimeout(() => {
        stream.waitedOut = true;
        settleReady();
      }, this.#connectWaitMs),
      channel: new LiveChannel(
        scope,
        {
          event: (event) => this.#cache?.push(event),
          open: (again) => this.#onOpen(stream, again),
          error: () => this.#onError(stream),
        },
        this.#createSource,
      ),
    };
    this.#streams.set(url, stream);
  }

  #onOpen(stream: Stream, again: boolean): void {
    const late = !stream.everOpened && stream.waitedOut;
    stream.everOpened = true;
    clearTimeout(stream.deadline);
    stream.settleReady();
    this.#setStatus("live");
    // Changes may have been stored while the stream was down, or before it came up for queries that
    // stopped waiting for it: fetch what it covers again (on screen now, the rest when shown).
    if (again || late) void this.#client.invalidateQueries({ predicate: (q) => this.#covered(q, stream) });
    this.#settle();
  }

  #onError(stream: Stream): void {
    if (![...this.#streams.values()].some((s) => s !== stream && s.channel.isOpen))
      this.#setStatus("offline");
  }

  #close(url: string, markStale: boolean): void {
    const stream = this.#streams.get(url);
    if (!stream) return;
    this.#streams.delete(url);
    stream.channel.close();
    clearTimeout(stream.deadline);
    stream.settleReady();
    if (!markStale) return;
    // Nothing carries these changes any more: whatever is cached is only as good as it was.
    const open = [...this.#streams.values()].filter((s) => s.channel.isOpen);
    void this.#client.invalidateQueries({
      refetchType: "none",
      predicate: (q) => this.#covered(q, stream) && !open.some((s) => this.#covered(q, s)),
    });
  }

  #covered(query: Query, stream: Stream): boolean {
    const scope = liveScopeOf(query.queryKey);
    return scope !== null && covers(stream.channel.scope, scope);
  }

  #setStatus(value: LiveStatus): void {
    if (this.#status === value) return;
    this.#status = value;
    for (const listener of this.#statusListeners) listener();
  }
}

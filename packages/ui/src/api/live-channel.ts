import type { LiveScope } from "./query-keys.js";
import { liveUrl } from "./query-keys.js";
import type { LiveEvent } from "./types.js";

/** Every event the server pushes; a Record so that a new event in the protocol fails to compile here. */
const EVENT_NAMES: Record<LiveEvent["type"], true> = { run: true, log: true, metric: true, artifact: true };

/** When the browser gives up on a stream (it does on a non-SSE answer, e.g. a proxy's 502), open it again after this long. */
const REOPEN_MS = 2000;

export interface LiveChannelHandlers {
  event(event: LiveEvent): void;
  /** The stream is connected; `again` after a drop, when events may have been missed. */
  open(again: boolean): void;
  /** The stream dropped; the browser reconnects by itself. */
  error(): void;
}

/** The part of `EventSource` a channel uses (tests may pass another implementation). */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (ev: MessageEvent<unknown>) => void): void;
  close(): void;
}

/**
 * One Server-Sent Events stream of `/api/events` (docs/api.md, "Live push"), parsed into typed
 * live events. The data is the server's own protocol type; it is trusted as is, so that no schema
 * library weighs on the browser bundle.
 * @example const channel = new LiveChannel("all", { event: console.log, open() {}, error() {} });
 */
export class LiveChannel {
  readonly scope: LiveScope;
  #handlers: LiveChannelHandlers;
  #create: (url: string) => EventSourceLike;
  #source: EventSourceLike | undefined;
  #hadError = false;
  #closed = false;
  #reopen: ReturnType<typeof setTimeout> | undefined;
  #isOpen = false;

  constructor(
    scope: LiveScope,
    handlers: LiveChannelHandlers,
    create: (url: string) => EventSourceLike = (url) => new EventSource(url),
  ) {
    this.scope = scope;
    this.#handlers = handlers;
    this.#create = create;
    this.#connect();
  }

  /** Whether the stream is connected now. */
  get isOpen(): boolean {
    return this.#isOpen;
  }

  close(): void {
    this.#closed = true;
    this.#isOpen = false;
    clearTimeout(this.#reopen);
    this.#source?.close();
  }

  #connect(): void {
    const source = this.#create(liveUrl(this.scope));
    this.#source = source;
    source.addEventListener("open", () => {
      this.#isOpen = true;
      this.#handlers.open(this.#hadError);
      this.#hadError = false;
    });
    source.addEventListener("error", () => {
      this.#hadError = true;
      this.#isOpen = false;
      this.#handlers.error();
      // CLOSED (2): the browser will not retry this one.
      if (source.readyState === 2 && !this.#closed) {
        source.close();
        this.#reopen = setTimeout(() => this.#connect(), REOPEN_MS);
      }
    });
    for (const type of Object.keys(EVENT_NAMES) as LiveEvent["type"][])
      source.addEventListener(type, (ev) => {
        if (typeof ev.data !== "string") return;
        let data: unknown;
        try {
          data = JSON.parse(ev.data);
        } catch {
          return;
        }
        this.#handlers.event({ type, data } as LiveEvent);
      });
  }
}

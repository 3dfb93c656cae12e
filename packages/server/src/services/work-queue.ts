import { EventEmitter } from "node:events";

import { exponentialBackoff, sleep } from "@weir/protocol/retry";
import { sql } from "kysely";
import type { Kysely } from "kysely";
import pg from "pg";

import type { Storage } from "../storage/database.js";
import type { Database } from "../storage/schema.js";

/** The PostgreSQL channel on which replicas tell each other of new work and cancel requests. */
const WORK_CHANNEL = "weir_work";

/** What wakes a claim that waits: work in a pool, or a cancel for a worker's run. */
type WorkSignal = { pool: string } | { worker: string };

const key = (signal: WorkSignal): string =>
  "pool" in signal ? `pool:${signal.pool}` : `worker:${signal.worker}`;

/**
 * Wakes long-polling claims. On SQLite (one server process per database file) an in-process
 * emitter; on PostgreSQL `NOTIFY weir_work` sent inside the writing transaction (so delivered only
 * once it commits) and one `LISTEN` connection per replica, so a run made due on one replica wakes
 * the workers waiting on another.
 */
export class WorkQueue {
  readonly #emitter = new EventEmitter();
  readonly #storage: Storage;
  #listener: pg.Client | undefined;
  #closed = false;
  #listening: Promise<void> | undefined;

  constructor(storage: Storage, databaseUrl: string | undefined) {
    this.#storage = storage;
    this.#emitter.setMaxListeners(0);
    if (storage.dialect === "postgres" && databaseUrl !== undefined)
      this.#listening = this.#listen(databaseUrl);
  }

  /** Resolves once the LISTEN connection is up (at once on SQLite). */
  ready(): Promise<void> {
    return this.#listening ?? Promise.resolve();
  }

  /**
   * Announces work or a cancel. Inside a transaction on PostgreSQL the notification is delivered
   * when it commits; on SQLite waiters wake at once and their claim queues behind the writer.
   */
  async notify(db: Kysely<Database>, signals: readonly WorkSignal[]): Promise<void> {
    const unique = [...new Map(signals.map((s) => [key(s), s])).values()];
    if (unique.length === 0) return;
    if (this.#storage.dialect === "postgres" && this.#listening !== undefined) {
      for (const signal of unique)
        await sql`select pg_notify(${WORK_CHANNEL}, ${JSON.stringify(signal)})`.execute(db);
    } else for (const signal of unique) this.#emitter.emit(key(signal));
  }

  /**
   * Starts listening for `signals` at once (so that nothing sent while the caller queries is
   * missed); `wait` resolves when one has arrived, at `untilMs` (epoch ms) or on `abort`.
   */
  watch(signals: readonly WorkSignal[]): {
    wait(untilMs: number, abort: AbortSignal): Promise<void>;
    close(): void;
  } {
    const keys = signals.map(key);
    let woken = false;
    let wake: (() => void) | undefined;
    const onSignal = (): void => {
      woken = true;
      wake?.();
    };
    for (const k of keys) this.#emitter.on(k, onSignal);
    return {
      wait: (untilMs, abort) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.max(0, untilMs - Date.now()));
          function done(): void {
            clearTimeout(timer);
            abort.removeEventListener("abort", done);
            resolve();
          }
          wake = done;
          abort.addEventListener("abort", done, { once: true });
          if (woken || abort.aborted) done();
        }),
      close: () => {
        for (const k of keys) this.#emitter.off(k, onSignal);
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#listener;
    this.#listener = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Keeps one LISTEN connection open, reconnecting with backoff when it drops. */
  #listen(url: string): Promise<void> {
    return new Promise<void>((ready) => {
      void (async () => {
        while (!this.#closed) {
          const client = await this.#connect(url);
          if (client === undefined) break;
          const lost = new Promise<void>((resolve) => {
            client.once("error", () => resolve());
            client.once("end", () => resolve());
          });
          this.#listener = client;
          ready();
          // Waiters re-check after a reconnect: a notification sent while the connection was down is lost.
          for (const name of this.#emitter.eventNames()) this.#emitter.emit(name);
          await lost;
          this.#listener = undefined;
          await client.end().catch(() => undefined);
        }
        ready();
      })();
    });
  }

  async #connect(url: string): Promise<pg.Client | undefined> {
    const delay = exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 5000 });
    for (let attempt = 1; !this.#closed; attempt++) {
      const client = new pg.Client({ connectionString: url });
      client.on("error", () => undefined);
      try {
        await client.connect();
        client.on("notification", (message) => {
          if (message.channel !== WORK_CHANNEL || message.payload === undefined) return;
          try {
            this.#emitter.emit(key(JSON.parse(message.payload) as WorkSignal));
          } catch {
            // a payload that is not ours
          }
        });
        await client.query(`LISTEN ${WORK_CHANNEL}`);
        if (!this.#closed) return client;
        await client.end();
      } catch {
        await client.end().catch(() => undefined);
        await sleep(delay(attempt), undefined, { unref: true });
      }
    }
    return undefined;
  }
}

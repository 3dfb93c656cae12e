import type { ApiClient, ApiResponse } from "./api-client.js";
import { isRetryableStatus } from "./api-client.js";
import type { WeirClientConfig } from "./config.js";
import { DropCounter } from "./drop-counter.js";
import { describe } from "./errors.js";
import { exponentialBackoff, sleep } from "./retry-policy.js";
import type { Spool } from "./spool.js";
import type { IngestBody, OutboxRecord } from "./wire.js";

type Outcome = "ok" | "retry" | "rejected";

/** Backoff between attempts to reach a server that is down: 0.2 s doubling to 5 s, ±20 %. */
const reconnectDelay = exponentialBackoff({ initialDelayMs: 200, maxDelayMs: 5000 });

/** While a flush waits for the server, it tries this often instead of following the backoff. */
const FLUSH_RETRY_MS = 200;

/**
 * While spooling, records are written to the spool file at most this long after they were queued (by a
 * timer, or by the next record when a synchronous loop keeps the timer from firing), so a SIGKILL loses
 * at most about this much (docs/flows.md states 100 ms, which leaves room for a late timer).
 */
const SPOOL_WRITE_MS = 50;

/**
 * The reporter delivers records (run creations, logs, metrics, states, artifacts) to the server in the
 * order they were produced, batching consecutive logs/metrics/states into one `POST /api/ingest`.
 *
 * Two modes: `memory` (a bounded in-memory queue) and `spool` (everything is appended to the disk spool and replayed from it). It switches to the
 * spool when a request fails for a retryable reason or the queue is full, and back to memory once the
 * spool is fully replayed, so order is kept across outages. Resends are harmless: logs and metrics carry
 * per-run `seq` numbers and states carry ids, which the server deduplicates.
 *
 * In memory mode the batch interval adapts: a record queued when nothing was sent for
 * `batchIntervalMs` goes at once (with whatever the same tick queued), so that a quiet flow's line
 * reaches the dashboard in milliseconds; records queued sooner wait until `batchIntervalMs` after the
 * previous request and go together, so that a busy flow still sends at most about one request per
 * interval (a full batch goes at once). The server never gets more requests per line than with a
 * fixed interval.
 */
export class Reporter {
  readonly #config: WeirClientConfig;
  readonly #api: ApiClient;
  readonly #spool: Spool;
  #queue: OutboxRecord[] = [];
  #head = 0;
  #mode: "memory" | "spool" = "memory";
  #inFlight: { spooled: boolean } | undefined;
  #draining: Promise<void> | undefined;
  #offline = false;
  #failures = 0;
  #nextAttemptAt = 0;
  #lastFailureAt = 0;
  /** A flush waited its whole timeout for the server in vain, and the server has not answered since. */
  #flushGaveUp = false;
  #spoolWrittenAt = 0;
  #spoolWriteTimer: NodeJS.Timeout | undefined;
  #replayCursor: { file: string; index: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** When the last batch left memory mode, and the timer that sends the next one. */
  #lastSendAt = 0;
  #sendTimer: NodeJS.Timeout | undefined;
  readonly #drops: DropCounter;
  readonly #createdRuns = new Set<string>();
  readonly #watched = new Set<string>();
  /** Told of the runs an ingest answer says have a cancel request (set by the runtime). */
  onCancel: (runIds: string[]) => void = () => undefined;
  #closed = false;
  #lastFailure = "";

  constructor(config: WeirClientConfig, api: ApiClient, spool: Spool) {
    this.#config = config;
    this.#api = api;
    this.#spool = spool;
    this.#drops = new DropCounter(config.spoolMaxBytes);
    if (this.#spool.adoptOrphans() > 0) this.#mode = "spool";
  }

  /** Records waiting in memory. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /** Nothing left to do for now: everything is delivered, or safely spooled while the server is down. */
  get idle(): boolean {
    return this.#mode === "memory"
      ? this.pending === 0 && this.#inFlight === undefined
      : this.#offline || this.#closed;
  }

  /** Whether the last attempt to reach the server failed. */
  get offline(): boolean {
    return this.#offline;
  }

  /** Queues one record. Never blocks, never throws because of the server. */
  enqueue(record: OutboxRecord): void {
    this.#ensureTimer();
    if (this.#mode === "spool") {
      this.#toSpool(record);
      this.#writeSpoolSoon();
      return;
    }
    this.#queue.push(record);
    const pending = this.pending;
    if (pending >= this.#config.maxQueueItems) {
      this.#spill();
    } else if (pending >= this.#config.batchSize) {
      void this.#kick();
    } else this.#sendSoon();
  }

  /** Whether the creation of `runId` was acknowledged by the server (heartbeats wait for it). */
  isCreated(runId: string): boolean {
    return this.#createdRuns.has(runId);
  }

  /** Tracks whether the server acknowledged the creation of a live run (for heartbeats). */
  watch(runId: string): void {
    this.#watched.add(runId);
  }

  /** A run the server already has (adopted): heartbeats may start at once. */
  markCreated(runId: string): void {
    this.#watched.add(runId);
    this.#createdRuns.add(runId);
  }

  /** Stops tracking a run that ended. */
  forget(runId: string): void {
    this.#watched.delete(runId);
    this.#createdRuns.delete(runId);
  }

  /**
   * Sends heartbeats out of band (they are not ordered with other records and are never spooled).
   * Resolves with the runs the server revived: it had marked them Crashed for want of heartbeats.
   */
  async heartbeat(runIds: string[]): Promise<string[]> {
    if (this.#offline || runIds.length === 0) return [];
    try {
      const response = await this.#api.ingest({ heartbeats: runIds });
      return response.status < 300 ? this.#noteAnswer(response.body).revived : [];
    } catch {
      return []; // The next batch will notice the outage; a lost heartbeat is replaced by the next one.
    }
  }

  /**
   * Waits until every record queued so far is delivered. While the server is unreachable it does not
   * wait for the reconnect backoff: it tries at once and then every 0.2 s until `timeoutMs` (a server
   * that came back a moment ago gets everything before the process exits). Once a flush has waited its
   * whole timeout in vain, later ones try once until the server answers again, so that a process
   * running flow after flow during a long outage is not slowed down by each. Whatever is not delivered
   * is on disk in the spool when it returns. Resolves `true` if everything was delivered.
   */
  async flush(timeoutMs = this.#config.flushTimeoutMs): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const patient = !this.#flushGaveUp;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    try {
      for (;;) {
        if (this.#mode === "memory" && this.pending === 0 && this.#inFlight === undefined) return true;
        if (Date.now() >= deadline) break;
        if (this.#mode === "spool")
          this.#nextAttemptAt = Math.min(this.#nextAttemptAt, this.#lastFailureAt + FLUSH_RETRY_MS);
        await Promise.race([this.#kick(), expired]);
        if (this.#mode === "spool" && this.#draining === undefined) {
          if (this.#offline && !patient) break;
          // Waiting for the next attempt (or a replay just began): a moment instead of spinning.
          await Promise.race([sleep(Math.max(10, Math.min(50, this.#nextAttemptAt - Date.now()))), expired]);
        }
      }
    } finally {
      clearTimeout(timer);
    }
    this.#spill();
    this.#spool.writeBuffered(true);
    if (this.#offline && patient && Date.now() >= deadline) this.#flushGaveUp = true;
    return false;
  }

  /** Flushes, stops the timer and closes the spool. */
  async close(timeoutMs = this.#config.flushTimeoutMs): Promise<void> {
    await this.flush(timeoutMs);
    this.closeSync();
  }

  /** Synchronous last resort (process `exit`): everything still in memory goes to the spool on disk. */
  closeSync(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    clearTimeout(this.#sendTimer);
    clearTimeout(this.#spoolWriteTimer);
    this.#spill();
    this.#spool.close();
  }

  #ensureTimer(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setInterval(() => {
      if (this.#mode === "memory") {
        this.#sendSoon(); // a safety net: enqueue and each drain schedule the sends
        return;
      }
      this.#writeSpool();
      void this.#kick();
    }, this.#config.batchIntervalMs);
    this.#timer.unref();
  }

  /**
   * Memory mode: sends what is queued at once if nothing was sent for `batchIntervalMs` (on the next
   * tick, so that a burst goes as one batch), else once that much time has passed since the last send.
   */
  #sendSoon(): void {
    if (this.#sendTimer !== undefined || this.#draining !== undefined || this.pending === 0) return;
    const wait = Math.max(0, this.#lastSendAt + this.#config.batchIntervalMs - Date.now());
    this.#sendTimer = setTimeout(() => {
      this.#sendTimer = undefined;
      void this.#kick();
    }, wait);
    this.#sendTimer.unref();
  }

  #kick(): Promise<void> {
    this.#draining ??= this.#drain()
      .catch((error: unknown) => warn(`sending failed unexpectedly (${describe(error)}); will retry.`))
      .finally(() => {
        this.#draining = undefined;
        // Queued after the drain's last look at the queue.
        if (this.#mode === "memory" && !this.#closed) this.#sendSoon();
      });
    return this.#draining;
  }

  async #drain(): Promise<void> {
    if (this.#mode === "spool") {
      await this.#replay();
      return;
    }
    while (this.pending > 0 && this.#mode === "memory" && !this.#closed) {
      const end = groupEnd(this.#queue, this.#head, this.#config.batchSize);
      const group = this.#queue.slice(this.#head, end);
      const flight = { spooled: false };
      this.#inFlight = flight;
      this.#lastSendAt = Date.now();
      const outcome = await this.#deliver(group);
      this.#inFlight = undefined;
      if (flight.spooled) {
        // The queue (these records included) was moved to the spool meanwhile: it replays them in order.
        if (outcome === "retry") this.#goOffline();
        return;
      }
      if (outcome === "retry") {
        this.#goOffline();
        this.#spill();
        return;
      }
      this.#head = end;
      this.#compact();
      // Less than a full batch was queued meanwhile: it waits for the interval (see #sendSoon).
      if (this.pending < this.#config.batchSize) return;
    }
  }

  async #replay(): Promise<void> {
    for (;;) {
      if (this.#closed || Date.now() < this.#nextAttemptAt) return;
      this.#spool.seal();
      for (const file of this.#spool.sealedSegments()) {
        const records = this.#spool.readSegment(file);
        let index = this.#replayCursor?.file === file ? this.#replayCursor.index : 0;
        while (index < records.length) {
          if (this.#closed) return;
          const end = groupEnd(records, index, this.#config.batchSize);
          const outcome = await this.#deliver(records.slice(index, end));
          if (outcome === "retry") {
            this.#replayCursor = { file, index };
            this.#goOffline();
            return;
          }
          this.#backOnline();
          index = end;
        }
        this.#spool.removeSegment(file);
        this.#replayCursor = undefined;
      }
      if (!this.#spool.hasData()) {
        this.#mode = "memory";
        for (const record of this.#drops.report()) this.enqueue(record);
        return;
      }
    }
  }

  async #deliver(group: OutboxRecord[]): Promise<Outcome> {
    const first = group[0];
    if (first === undefined) return "ok";
    let what: string;
    let response: ApiResponse;
    try {
      if (first.t === "artifact") {
        what = `Creating an artifact of run ${first.runId}`;
        response = await this.#requestWithOneRetry(() => this.#api.createArtifact(first.runId, first.body));
      } else {
        what = `Sending a batch of ${group.length} runs/logs/metrics/states`;
        response = await this.#requestWithOneRetry(() => this.#api.ingest(toIngestBody(group)));
        if (response.status < 300) {
          this.#noteAnswer(response.body);
          for (const record of group) {
            if (record.t === "run" && this.#watched.has(record.body.id))
              this.#createdRuns.add(record.body.id);
          }
        }
      }
    } catch (error) {
      this.#lastFailure = rootCause(error);
      return "retry";
    }
    if (response.status < 300) {
      this.#backOnline();
      return "ok";
    }
    if (isRetryableStatus(response.status)) {
      this.#lastFailure = `HTTP ${response.status}: ${describe(response.body)}`;
      return "retry";
    }
    if (response.status === 413 && group.length > 1) {
      // Too big for the server's body limit (huge messages or fields): send it in halves.
      const middle = Math.ceil(group.length / 2);
      const head = await this.#deliver(group.slice(0, middle));
      return head === "retry" ? "retry" : this.#deliver(group.slice(middle));
    }
    warn(
      `${what} was rejected by the server (HTTP ${response.status}): ${describe(response.body)}. Dropped.`,
    );
    return "rejected";
  }

  /** Reads an ingest answer: the runs it revived, and the runs with a cancel request (told to `onCancel`). */
  #noteAnswer(body: unknown): { revived: string[] } {
    const answer = body as { revived?: unknown; cancel?: unknown } | undefined;
    const cancel = ids(answer?.cancel);
    if (cancel.length > 0) this.onCancel(cancel);
    return { revived: ids(answer?.revived) };
  }

  /** Moves everything still in memory to the spool (keeping order) and switches to spool mode. */
  #spill(): void {
    if (this.#inFlight) this.#inFlight.spooled = true;
    for (let i = this.#head; i < this.#queue.length; i++) this.#toSpool(this.#queue[i] as OutboxRecord);
    this.#queue = [];
    this.#head = 0;
    this.#mode = "spool";
    this.#writeSpool();
  }

  /**
   * Spool mode only (the memory path does no per-record work for it): gets the buffered records into
   * the spool file within SPOOL_WRITE_MS, so that a SIGKILL loses only the last moment's records. A
   * timer covers a quiet process; the time check here covers a synchronous loop that keeps the timer
   * from firing.
   */
  #writeSpoolSoon(): void {
    if (Date.now() - this.#spoolWrittenAt >= SPOOL_WRITE_MS || this.#spool.bufferedLines >= 1000) {
      this.#writeSpool();
    } else if (this.#spoolWriteTimer === undefined) {
      this.#spoolWriteTimer = setTimeout(() => this.#writeSpool(), SPOOL_WRITE_MS);
      this.#spoolWriteTimer.unref();
    }
  }

  #writeSpool(): void {
    clearTimeout(this.#spoolWriteTimer);
    this.#spoolWriteTimer = undefined;
    this.#spool.writeBuffered();
    this.#spoolWrittenAt = Date.now();
  }

  #toSpool(record: OutboxRecord): void {
    const line = JSON.stringify(record);
    if ((record.t === "log" || record.t === "metric") && !this.#spool.fits(line)) {
      if (this.#drops.count(record)) {
        warn(
          `the spool under ${this.#config.home} reached its bound of ${this.#config.spoolMaxBytes} bytes; ` +
            "logs and metrics are dropped (and counted) until the server is back.",
        );
      }
      return;
    }
    this.#spool.append(line);
  }

  /**
   * A keep-alive connection the server closed just as it was reused fails the request at once; that is
   * not an outage, so one immediate retry comes before the backoff (every request here is idempotent).
   */
  async #requestWithOneRetry(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
    try {
      return await send();
    } catch (error) {
      if (rootCause(error).includes("TimeoutError")) throw error; // a slow server: back off instead
      return send();
    }
  }

  #goOffline(): void {
    if (!this.#offline) {
      warn(
        `the server at ${this.#config.apiUrl} is unreachable (${this.#lastFailure}); spooling runs, logs and metrics to ` +
          `${this.#config.home}/spool and sending them when it is back.`,
      );
    }
    this.#offline = true;
    this.#failures += 1;
    this.#lastFailureAt = Date.now();
    this.#nextAttemptAt = this.#lastFailureAt + reconnectDelay(this.#failures);
  }

  #backOnline(): void {
    if (this.#offline) warn(`the server at ${this.#config.apiUrl} is reachable again; replaying the spool.`);
    this.#offline = false;
    this.#failures = 0;
    this.#nextAttemptAt = 0;
    this.#flushGaveUp = false;
  }

  #compact(): void {
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * End (exclusive) of the group starting at `start`: one artifact, or consecutive run creations, logs,
 * metrics and states up to `batchSize` (the server stores a batch's runs first, then logs and metrics,
 * then states in order, so the order of the outbox is kept).
 */
function groupEnd(records: OutboxRecord[], start: number, batchSize: number): number {
  const first = records[start];
  if (first === undefined) return start;
  if (first.t === "artifact") return start + 1;
  let end = start;
  while (end < records.length && end - start < batchSize && (records[end] as OutboxRecord).t !== "artifact") {
    end += 1;
  }
  return end;
}

function toIngestBody(group: OutboxRecord[]): IngestBody {
  const runs: NonNullable<IngestBody["runs"]> = [];
  const logs: NonNullable<IngestBody["logs"]> = [];
  const metrics: NonNullable<IngestBody["metrics"]> = [];
  const states: NonNullable<IngestBody["states"]> = [];
  for (const record of group) {
    if (record.t === "run") runs.push(record.body);
    else if (record.t === "log") logs.push(record.log);
    else if (record.t === "metric") metrics.push(record.point);
    else if (record.t === "state") states.push(record.state);
  }
  const body: IngestBody = {};
  if (runs.length > 0) body.runs = runs;
  if (logs.length > 0) body.logs = logs;
  if (metrics.length > 0) body.metrics = metrics;
  if (states.length > 0) body.states = states;
  return body;
}

function ids(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === "string") : [];
}

/** The innermost cause of a network failure ("fetch failed" says little; its cause says ECONNREFUSED). */
function rootCause(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  const code = (current as { code?: unknown } | undefined)?.code;
  return `${describe(current)}${typeof code === "string" ? ` (${code})` : ""}`;
}

function warn(message: string): void {
  process.stderr.write(`weir: ${message}\n`);
}

import type { Label, Proba } from "@weir/learn";

import { WeirHttpError } from "../errors.js";
import type { Storage } from "../storage/database.js";
import { deletePredictionsBefore, insertPredictions } from "../storage/prediction-repository.js";
import type { NewPrediction } from "../storage/prediction-repository.js";

/** A prediction as the predict route hands it over: serialised only when it is written. */
export interface PendingPrediction {
  id: string;
  name: string;
  version: number;
  input: unknown;
  label: Label | undefined;
  proba: Proba;
  createdAt: number;
}

/** Options of {@link PredictionLog}. */
export interface PredictionLogOptions {
  /** How long a buffered prediction may wait before it is written. @default 100 */
  flushIntervalMs?: number;
  /** Buffered predictions that start a write at once. @default 1000 */
  flushRows?: number;
  /** Unwritten predictions past which predict calls wait for the write in flight. @default 100_000 */
  maxPendingRows?: number;
  /** Called when a write fails (the predictions stay buffered and are written again). */
  onError: (error: unknown) => void;
}

/** JSON of labels seen (a model has a few classes), so that each is stringified once. */
const labelJson = new Map<Label, string>();

function jsonOfLabel(label: Label): string {
  let text = labelJson.get(label);
  if (text === undefined) {
    text = JSON.stringify(label);
    if (labelJson.size < 10_000) labelJson.set(label, text);
  }
  return text;
}

/** `JSON.stringify([...proba])`, written by hand (a finite number's JSON is its `String`). */
function probabilitiesJson(proba: Proba): string {
  let out = "[";
  for (const [cls, p] of proba)
    out += `${out.length === 1 ? "" : ","}[${jsonOfLabel(cls)},${Number.isFinite(p) ? String(p) : "null"}]`;
  return `${out}]`;
}

function toRow(p: PendingPrediction): NewPrediction {
  return {
    id: p.id,
    name: p.name,
    version: p.version,
    input: JSON.stringify(p.input),
    label: p.label === undefined ? "null" : jsonOfLabel(p.label),
    probabilities: probabilitiesJson(p.proba),
    created_at: p.createdAt,
  };
}

/**
 * The predictions kept for late labels, written in batches off the request path: predict calls
 * only append to a buffer, which is written every `flushIntervalMs` or `flushRows` rows (one
 * transaction per write). A label for a prediction still in memory waits for its write
 * ({@link persisted}). When writes fall behind by `maxPendingRows`, predict calls wait for the
 * write in flight (back-pressure instead of unbounded memory).
 */
export class PredictionLog {
  #buffer: PendingPrediction[] = [];
  /** Ids buffered or being written. */
  readonly #unwritten = new Set<string>();
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #flushIntervalMs: number;
  readonly #flushRows: number;
  readonly #maxPendingRows: number;

  constructor(
    private readonly storage: Storage,
    private readonly options: PredictionLogOptions,
  ) {
    this.#flushIntervalMs = options.flushIntervalMs ?? 100;
    this.#flushRows = options.flushRows ?? 1000;
    this.#maxPendingRows = options.maxPendingRows ?? 100_000;
  }

  /** Buffers predictions; resolves at once unless writes are behind. */
  record(predictions: readonly PendingPrediction[]): Promise<void> | undefined {
    // Answered after shutdown began (the database is closing): not kept, like the server.
    if (this.#closed) return undefined;
    for (const p of predictions) {
      this.#buffer.push(p);
      this.#unwritten.add(p.id);
    }
    if (this.#buffer.length >= this.#flushRows) void this.#startWrite();
    else this.#timer ??= setTimeout(() => void this.#startWrite(), this.#flushIntervalMs);
    return this.#unwritten.size > this.#maxPendingRows ? this.flush() : undefined;
  }

  /** Resolves once the predictions among `ids` that are still in memory are in the database. */
  async persisted(ids: readonly string[]): Promise<void> {
    for (let attempt = 0; ids.some((id) => this.#unwritten.has(id)); attempt++) {
      if (attempt === 3)
        throw new WeirHttpError(
          503,
          "WEIR_UNAVAILABLE",
          "The predictions these labels refer to could not be stored yet (the database refuses writes; see the server log). Post the labels again shortly.",
        );
      await this.flush();
    }
  }

  /** Writes everything buffered now (after the write in flight). */
  async flush(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
    await this.#startWrite();
  }

  /** Starts writing the buffer unless a write is in flight; returns the write in flight. */
  #startWrite(): Promise<void> | undefined {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#writing !== undefined || this.#buffer.length === 0) return this.#writing;
    const batch = this.#buffer;
    this.#buffer = [];
    this.#writing = this.#write(batch).finally(() => {
      this.#writing = undefined;
      if (this.#buffer.length >= this.#flushRows) void this.#startWrite();
      else if (this.#buffer.length > 0 && !this.#closed)
        this.#timer ??= setTimeout(() => void this.#startWrite(), this.#flushIntervalMs);
    });
    return this.#writing;
  }

  async #write(batch: PendingPrediction[]): Promise<void> {
    const rows = batch.map(toRow);
    try {
      await this.storage.db
        .transaction()
        .execute((trx) => insertPredictions(trx, this.storage.dialect, rows));
      for (const p of batch) this.#unwritten.delete(p.id);
    } catch (error) {
      // Kept for the next write (rows already stored are skipped on conflict).
      this.#buffer = batch.concat(this.#buffer);
      this.options.onError(error);
    }
  }

  /** Deletes the predictions made before `cutoff`, in small batches; returns how many. */
  async deleteBefore(cutoff: number): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await deletePredictionsBefore(this.storage.db, cutoff, 5000);
      total += deleted;
      if (deleted < 5000) return total;
    }
  }

  /** Writes what is buffered and stops (called on shutdown, before the database closes). */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}

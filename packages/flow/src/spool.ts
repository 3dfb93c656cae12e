import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { OutboxRecord } from "./wire.js";

/** Options of a {@link Spool}. */
export interface SpoolOptions {
  /** Bound of the spool in bytes (disk + not yet written). */
  maxBytes: number;
  /** Size at which the current segment is closed and a new one begun. */
  segmentBytes: number;
  /** Minimum time between two fsyncs of the current segment, in ms. @default 1000 */
  fsyncIntervalMs?: number;
}

const SEGMENT = /^\d{8}\.jsonl$/;

/**
 * The offline spool: append-only JSONL segment files under `<home>/spool/p<pid>-<id>/`, in the order the
 * records were produced. All file operations are synchronous so that order is trivially kept and the
 * spool can still be written from the process `exit` event. Spools left behind by dead processes on
 * this machine are adopted and replayed by the next process that uses the same home.
 */
export class Spool {
  readonly #root: string;
  readonly #ownName: string;
  readonly #options: Required<SpoolOptions>;
  #buffer: string[] = [];
  #bytes = 0;
  #fd: number | undefined;
  #segmentNumber = 0;
  #segmentSize = 0;
  #lastSync = 0;
  #dirty = false;
  #adopted: string[] = [];

  constructor(root: string, options: SpoolOptions) {
    this.#root = root;
    this.#ownName = `p${process.pid}-${randomBytes(4).toString("hex")}`;
    this.#options = { fsyncIntervalMs: 1000, ...options };
  }

  /** Bytes in the spool (on disk and buffered). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Lines appended but not yet written to disk. */
  get bufferedLines(): number {
    return this.#buffer.length;
  }

  /** True when nothing is buffered or on disk. */
  get isEmpty(): boolean {
    return this.#bytes === 0;
  }

  /** Whether `record` would fit under the bound. */
  fits(line: string): boolean {
    return this.#bytes + Buffer.byteLength(line) + 1 <= this.#options.maxBytes;
  }

  /**
   * Whether anything is buffered or on disk (checked on disk, not by the byte count, so that a miscount can
   * never keep the reporter replaying forever). Resets the byte count when empty.
   */
  hasData(): boolean {
    if (this.#buffer.length > 0) return true;
    if (this.#fd !== undefined && this.#segmentSize > 0) return true;
    if (this.sealedSegments().length > 0) return true;
    this.#bytes = 0;
    return false;
  }

  /** Buffers one record (written to disk by {@link writeBuffered}). Always accepts: the caller checks the bound. */
  append(line: string): void {
    this.#buffer.push(line);
    this.#bytes += Buffer.byteLength(line) + 1;
  }

  /** Writes buffered records to the current segment; fsyncs at most every `fsyncIntervalMs` unless `sync`. */
  writeBuffered(sync = false): void {
    if (this.#buffer.length > 0) {
      const chunk = this.#buffer.join("\n") + "\n";
      this.#buffer = [];
      if (this.#fd === undefined || this.#segmentSize >= this.#options.segmentBytes) this.#openNext();
      fs.writeSync(this.#fd as number, chunk);
      this.#segmentSize += Buffer.byteLength(chunk);
      this.#dirty = true;
    }
    if (
      this.#dirty &&
      this.#fd !== undefined &&
      (sync || Date.now() - this.#lastSync >= this.#options.fsyncIntervalMs)
    ) {
      fs.fdatasyncSync(this.#fd);
      this.#lastSync = Date.now();
      this.#dirty = false;
    }
  }

  /** Writes what is buffered and closes the current segment, so that it can be replayed. */
  seal(): void {
    this.writeBuffered(true);
    if (this.#fd !== undefined) {
      fs.closeSync(this.#fd);
      this.#fd = undefined;
    }
  }

  /** Sealed segments, oldest first: adopted spools of dead processes, then this process's own. */
  sealedSegments(): string[] {
    const result: string[] = [];
    for (const dir of this.#adopted) result.push(...listSegments(dir));
    const own = listSegments(this.#ownDir);
    const current = this.#fd === undefined ? undefined : this.#segmentPath(this.#segmentNumber);
    result.push(...own.filter((p) => p !== current));
    return result;
  }

  /** The records of a segment file (a torn last line, from a crash mid-write, is skipped). */
  readSegment(file: string): OutboxRecord[] {
    const records: OutboxRecord[] = [];
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      if (line.length === 0) continue;
      try {
        records.push(JSON.parse(line) as OutboxRecord);
      } catch {
        // A torn write at a crash: the rest of the segment is intact, so keep going.
      }
    }
    return records;
  }

  /** Deletes a fully delivered segment and removes its bytes from the count. */
  removeSegment(file: string): void {
    let size = 0;
    try {
      size = fs.statSync(file).size;
      fs.unlinkSync(file);
    } catch {
      return;
    }
    this.#bytes = Math.max(0, this.#bytes - size);
    const dir = path.dirname(file);
    if (dir !== this.#ownDir && listSegments(dir).length === 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      this.#adopted = this.#adopted.filter((d) => d !== dir);
    }
  }

  /**
   * Claims the spool directories of processes that are gone (same machine, pid no longer alive) by renaming
   * them, so that exactly one process replays each. Returns the number of segments adopted.
   */
  adoptOrphans(): number {
    let entries: string[];
    try {
      entries = fs.readdirSync(this.#root);
    } catch {
      return 0;
    }
    let adopted = 0;
    for (const name of entries.sort()) {
      const match = /^p(\d+)-/.exec(name);
      if (!match || name === this.#ownName || name.startsWith(`${this.#ownName}-`)) continue;
      const pid = Number(match[1]);
      if (pid !== process.pid && isAlive(pid)) continue;
      const target = path.join(this.#root, `${this.#ownName}-a${this.#adopted.length}`);
      try {
        fs.renameSync(path.join(this.#root, name), target);
      } catch {
        continue; // another process claimed it first
      }
      const segments = listSegments(target);
      for (const file of segments) this.#bytes += fs.statSync(file).size;
      this.#adopted.push(target);
      adopted += segments.length;
    }
    return adopted;
  }

  /** Writes and fsyncs everything, closes the segment, removes the own directory if empty. */
  close(): void {
    this.seal();
    try {
      if (listSegments(this.#ownDir).length === 0) fs.rmSync(this.#ownDir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }

  get #ownDir(): string {
    return path.join(this.#root, this.#ownName);
  }

  #segmentPath(n: number): string {
    return path.join(this.#ownDir, `${String(n).padStart(8, "0")}.jsonl`);
  }

  #openNext(): void {
    if (this.#fd !== undefined) {
      fs.fdatasyncSync(this.#fd);
      fs.closeSync(this.#fd);
    }
    fs.mkdirSync(this.#ownDir, { recursive: true });
    this.#segmentNumber += 1;
    this.#fd = fs.openSync(this.#segmentPath(this.#segmentNumber), "a");
    this.#segmentSize = 0;
  }
}

function listSegments(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((name) => SEGMENT.test(name))
      .sort()
      .map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

import { mkdirSync } from "node:fs";
import { join } from "node:path";

import Database from "better-sqlite3";

/** An event as stored in `events.db`. */
export interface StoredEvent {
  readonly topic: string;
  readonly offset: number;
  readonly id: string;
  readonly data: Buffer;
  readonly mimetype: string;
  readonly typeName: string | null;
  readonly typeVersion: number | null;
  /** Metadata as stored: a JSON object text, or null. */
  readonly metadata: string | null;
  readonly createdAt: number;
  readonly size: number;
  /** The event's wire form minus the delivery count, built on first delivery. */
  wire?: string | undefined;
}

/** A row of the read statements in raw (array) mode, in READ_COLUMNS order. */
type RawEventRow = [
  offset: number,
  id: string,
  data: Buffer,
  mimetype: string,
  typeName: string | null,
  typeVersion: number | null,
  metadata: string | null,
  createdAt: number,
  size: number,
];

const READ_COLUMNS = "seq, id, data, mimetype, type_name, type_version, metadata, created_at, size";

/** One object shape for every stored event (the `wire` slot included), so hot paths stay monomorphic. */
function eventOf(topic: string, row: RawEventRow): StoredEvent {
  return {
    topic,
    offset: row[0],
    id: row[1],
    data: row[2],
    mimetype: row[3],
    typeName: row[4],
    typeVersion: row[5],
    metadata: row[6],
    createdAt: row[7],
    size: row[8],
    wire: undefined,
  };
}

/** A new event on its way into the log. */
export interface NewEvent {
  readonly id: string;
  readonly data: Buffer;
  readonly mimetype: string;
  readonly typeName: string | null;
  readonly typeVersion: number | null;
  readonly metadata: string | null;
  readonly idempotencyKey: string | null;
  readonly size: number;
}

/** Rows per multi-row INSERT (11 parameters each, well under SQLite's limit). */
const CHUNK = 64;

/** A topic's row. */
export interface TopicRow {
  readonly id: number;
  readonly name: string;
  readonly createdAt: number;
  readonly maxAgeMs: number | null;
  readonly maxBytes: number | null;
  readonly nextOffset: number;
}

/** `synchronous` pragma: FULL syncs the WAL on every commit (power-loss safe), NORMAL leaves it to the OS. */
export type Durability = "FULL" | "NORMAL";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS topics (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  max_age_ms INTEGER,
  max_bytes INTEGER,
  next_offset INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS events (
  topic_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  data BLOB NOT NULL,
  mimetype TEXT NOT NULL,
  type_name TEXT,
  type_version INTEGER,
  metadata TEXT,
  created_at INTEGER NOT NULL,
  idem_key TEXT,
  size INTEGER NOT NULL,
  PRIMARY KEY (topic_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS events_idem ON events (topic_id, idem_key) WHERE idem_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS groups (
  topic_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  ack_floor INTEGER NOT NULL,
  acked TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  PRIMARY KEY (topic_id, name)
);
`;

/**
 * The event log's SQLite file (`<dataDir>/events.db`, WAL). Every method is synchronous
 * (better-sqlite3); the caller batches writes into one transaction per group commit.
 */
export class EventStore {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #insertChunk: Database.Statement;
  readonly #findKey: Database.Statement;
  readonly #setNext: Database.Statement;
  readonly #read: Database.Statement;
  readonly #get: Database.Statement;
  readonly #saveGroup: Database.Statement;
  readonly #walk: Database.Statement;
  readonly #trim: Database.Statement;

  constructor(dataDir: string, durability: Durability = "FULL") {
    mkdirSync(dataDir, { recursive: true });
    this.#db = new Database(join(dataDir, "events.db"));
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma(`synchronous = ${durability}`);
    this.#db.pragma("busy_timeout = 5000");
    this.#db.exec(SCHEMA);
    this.#insert = this.#db.prepare(
      `INSERT INTO events (topic_id, seq, id, data, mimetype, type_name, type_version, metadata, created_at, idem_key, size)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertChunk = this.#db.prepare(
      `INSERT INTO events (topic_id, seq, id, data, mimetype, type_name, type_version, metadata, created_at, idem_key, size)
       VALUES ${Array.from({ length: CHUNK }, () => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
    );
    this.#findKey = this.#db.prepare("SELECT seq, id FROM events WHERE topic_id = ? AND idem_key = ?");
    this.#setNext = this.#db.prepare("UPDATE topics SET next_offset = ? WHERE id = ?");
    // Raw (array) rows: much cheaper for better-sqlite3 to build than objects with named keys.
    this.#read = this.#db
      .prepare(`SELECT ${READ_COLUMNS} FROM events WHERE topic_id = ? AND seq >= ? ORDER BY seq LIMIT ?`)
      .raw();
    this.#get = this.#db.prepare(`SELECT ${READ_COLUMNS} FROM events WHERE topic_id = ? AND seq = ?`).raw();
    this.#saveGroup = this.#db.prepare(
      `INSERT INTO groups (topic_id, name, ack_floor, acked, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (topic_id, name) DO UPDATE SET ack_floor = excluded.ack_floor, acked = excluded.acked`,
    );
    this.#walk = this.#db.prepare(
      "SELECT seq, created_at, size FROM events WHERE topic_id = ? AND seq >= ? ORDER BY seq LIMIT 1000",
    );
    this.#trim = this.#db.prepare("DELETE FROM events WHERE topic_id = ? AND seq < ?");
  }

  /** Runs `body` in one transaction (a group commit). */
  transaction<T>(body: () => T): T {
    return this.#db.transaction(body)();
  }

  topics(): TopicRow[] {
    return (
      this.#db
        .prepare("SELECT id, name, created_at, max_age_ms, max_bytes, next_offset FROM topics ORDER BY name")
        .all() as {
        id: number;
        name: string;
        created_at: number;
        max_age_ms: number | null;
        max_bytes: number | null;
        next_offset: number;
      }[]
    ).map((row) => ({
      id: row.id,
      name: row.name,
      createdAt: row.created_at,
      maxAgeMs: row.max_age_ms,
      maxBytes: row.max_bytes,
      nextOffset: row.next_offset,
    }));
  }

  /** First offset, event count and bytes of each topic that holds events. */
  topicStats(): Map<number, { first: number; count: number; bytes: number }> {
    const rows = this.#db
      .prepare(
        "SELECT topic_id AS id, MIN(seq) AS first, COUNT(*) AS count, SUM(size) AS bytes FROM events GROUP BY topic_id",
      )
      .all() as { id: number; first: number; count: number; bytes: number }[];
    return new Map(rows.map((row) => [row.id, row]));
  }

  createTopic(name: string, maxAgeMs: number | null, maxBytes: number | null, now: number): TopicRow {
    const info = this.#db
      .prepare("INSERT INTO topics (name, created_at, max_age_ms, max_bytes) VALUES (?, ?, ?, ?)")
      .run(name, now, maxAgeMs, maxBytes);
    return { id: Number(info.lastInsertRowid), name, createdAt: now, maxAgeMs, maxBytes, nextOffset: 1 };
  }

  deleteTopic(id: number): void {
    this.transaction(() => {
      this.#db.prepare("DELETE FROM events WHERE topic_id = ?").run(id);
      this.#db.prepare("DELETE FROM groups WHERE topic_id = ?").run(id);
      this.#db.prepare("DELETE FROM topics WHERE id = ?").run(id);
    });
  }

  groups(topicId: number): { name: string; floor: number; acked: number[] }[] {
    return (
      this.#db.prepare("SELECT name, ack_floor, acked FROM groups WHERE topic_id = ?").all(topicId) as {
        name: string;
        ack_floor: number;
        acked: string;
      }[]
    ).map((row) => ({ name: row.name, floor: row.ack_floor, acked: JSON.parse(row.acked) as number[] }));
  }

  saveGroup(topicId: number, name: string, floor: number, acked: readonly number[], now: number): void {
    this.#saveGroup.run(topicId, name, floor, JSON.stringify(acked), now);
  }

  /** The stored offset and id of an event with this idempotency key, if any. */
  findKey(topicId: number, key: string): { seq: number; id: string } | undefined {
    return this.#findKey.get(topicId, key) as { seq: number; id: string } | undefined;
  }

  insert(topicId: number, offset: number, event: NewEvent, now: number): void {
    this.#insert.run(
      topicId,
      offset,
      event.id,
      event.data,
      event.mimetype,
      event.typeName,
      event.typeVersion,
      event.metadata,
      now,
      event.idempotencyKey,
      event.size,
    );
  }

  /** Inserts many events of one topic; multi-row statements save most of the per-row call cost. */
  insertMany(topicId: number, rows: readonly { offset: number; event: NewEvent }[], now: number): void {
    let index = 0;
    const params: unknown[] = [];
    for (; index + CHUNK <= rows.length; index += CHUNK) {
      params.length = 0;
      for (let k = index; k < index + CHUNK; k++) {
        const { offset, event } = rows[k] as { offset: number; event: NewEvent };
        params.push(
          topicId,
          offset,
          event.id,
          event.data,
          event.mimetype,
          event.typeName,
          event.typeVersion,
          event.metadata,
          now,
          event.idempotencyKey,
          event.size,
        );
      }
      this.#insertChunk.run(params);
    }
    for (; index < rows.length; index++) {
      const { offset, event } = rows[index] as { offset: number; event: NewEvent };
      this.insert(topicId, offset, event, now);
    }
  }

  setNextOffset(topicId: number, next: number): void {
    this.#setNext.run(next, topicId);
  }

  read(topic: string, topicId: number, from: number, limit: number): StoredEvent[] {
    const rows = this.#read.all(topicId, from, limit) as RawEventRow[];
    const events = new Array<StoredEvent>(rows.length);
    for (let i = 0; i < rows.length; i++) events[i] = eventOf(topic, rows[i] as RawEventRow);
    return events;
  }

  get(topic: string, topicId: number, offset: number): StoredEvent | undefined {
    const row = this.#get.get(topicId, offset) as RawEventRow | undefined;
    return row === undefined ? undefined : eventOf(topic, row);
  }

  /**
   * Deletes the oldest events while they are older than `maxAgeMs` or the topic holds more than
   * `maxBytes`. Returns the new first offset and the bytes and events removed.
   */
  trim(
    topicId: number,
    first: number,
    bytes: number,
    maxAgeMs: number | null,
    maxBytes: number | null,
    now: number,
  ): { first: number; removedBytes: number; removedCount: number } {
    let cut = first;
    let removedBytes = 0;
    let removedCount = 0;
    for (;;) {
      const rows = this.#walk.all(topicId, cut) as { seq: number; created_at: number; size: number }[];
      let stop = rows.length === 0;
      for (const row of rows) {
        const old = maxAgeMs !== null && row.created_at < now - maxAgeMs;
        const big = maxBytes !== null && bytes - removedBytes > maxBytes;
        if (!old && !big) {
          stop = true;
          break;
        }
        removedBytes += row.size;
        removedCount++;
        cut = row.seq + 1;
      }
      if (stop) break;
    }
    if (removedCount > 0) this.#trim.run(topicId, cut);
    return { first: cut, removedBytes, removedCount };
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

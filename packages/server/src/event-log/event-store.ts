import { randomUUID } from "node:crypto";
import { closeSync, fdatasync, fdatasyncSync, mkdirSync, openSync, statSync } from "node:fs";
import { join } from "node:path";

import Database from "better-sqlite3";

import { EventLogError } from "./event-log-error.js";

/**
 * A payload as stored: UTF-8 text (events published as text, i.e. JSON and strings — SQLite TEXT,
 * read back as a string without a Buffer per row) or bytes (BLOB).
 */
export type EventData = string | Buffer;

/** An event as stored in `events.db`. */
export interface StoredEvent {
  readonly topic: string;
  readonly offset: number;
  readonly id: string;
  readonly data: EventData;
  readonly mimetype: string;
  readonly typeName: string | null;
  readonly typeVersion: number | null;
  /** Metadata as stored: a JSON object text, or null. */
  readonly metadata: string | null;
  readonly createdAt: number;
  readonly size: number;
}

/** The payload's bytes (a copy for text). */
export function dataBytes(data: EventData): Buffer {
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}

/** A row of the read statements in raw (array) mode, in READ_COLUMNS order. */
type RawEventRow = [
  offset: number,
  id: string,
  data: EventData,
  /** null when it equals the mimetype the query was given (most rows of a topic share one). */
  mimetype: string | null,
  typeName: string | null,
  typeVersion: number | null,
  metadata: string | null,
  createdAt: number,
  size: number,
];

/**
 * Every column costs better-sqlite3 a JavaScript value per row; a string the most. The mimetype is
 * returned only when it differs from the one bound first (`?`), which is almost never.
 */
const READ_COLUMNS =
  "seq, id, data, CASE mimetype WHEN ? THEN NULL ELSE mimetype END, type_name, type_version, metadata, created_at, size";

/** One object shape for every stored event, so hot paths stay monomorphic. */
function eventOf(topic: string, row: RawEventRow, mimetype: string): StoredEvent {
  return {
    topic,
    offset: row[0],
    id: row[1],
    data: row[2],
    mimetype: row[3] ?? mimetype,
    typeName: row[4],
    typeVersion: row[5],
    metadata: row[6],
    createdAt: row[7],
    size: row[8],
  };
}

/** A new event on its way into the log. */
export interface NewEvent {
  readonly id: string;
  readonly data: EventData;
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
  /**
   * The topic's identity (a random UUID given at creation): a topic deleted and created again under
   * the same name, or created in another data directory, has another one. Neither `id` (SQLite may
   * give a deleted topic's id to the next one; every new file starts at 1) nor `createdAt` can tell
   * two incarnations apart for sure.
   */
  readonly uid: string;
  readonly name: string;
  readonly createdAt: number;
  readonly maxAgeMs: number | null;
  readonly maxBytes: number | null;
  readonly nextOffset: number;
}

/**
 * FULL: a commit is acknowledged only once the WAL holding it is synced to disk (it survives a
 * crash of the machine); NORMAL leaves the syncing to the OS (it survives a crash of the process).
 */
export type Durability = "FULL" | "NORMAL";

/** Syncs a file's data to disk (`fs.fdatasync`); a test may pass one that is slow or fails. */
export type SyncFile = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

/**
 * The schema of `events.db`, versioned with `PRAGMA user_version`:
 * - 1: the tables below; `data` held every payload as a BLOB.
 * - 2: `data` holds text payloads as TEXT (the column is declared BLOB, so SQLite stores either
 *   kind as given). Rows written by version 1 stay BLOBs and are read as bytes, so the upgrade
 *   rewrites nothing.
 * - 3: `topics.uid`, the identity of each topic (see {@link TopicRow.uid}). The upgrade gives every
 *   existing topic a new one.
 * A file from a newer Weir is refused rather than misread.
 */
export const EVENTS_SCHEMA_VERSION = 3;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS topics (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL,
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

/** Creates the schema of a new file, or upgrades an older one, in one transaction. */
function migrate(db: Database.Database, file: string): void {
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > EVENTS_SCHEMA_VERSION)
      throw new EventLogError(
        "WEIR_STORAGE_VERSION",
        `${file} has event-log schema version ${version}, newer than this Weir server understands ` +
          `(${EVENTS_SCHEMA_VERSION}). Run the Weir version that wrote it, or point --data-dir elsewhere.`,
      );
    // Version 0 is a new file or one from before versioning (same tables as version 1).
    db.exec(SCHEMA);
    if (version < 3) addTopicIdentity(db);
    if (version < EVENTS_SCHEMA_VERSION) db.pragma(`user_version = ${EVENTS_SCHEMA_VERSION}`);
  })();
}

/** Version 3: every topic gets an identity; topics of an older file get a new one each. */
function addTopicIdentity(db: Database.Database): void {
  const columns = db.prepare("SELECT name FROM pragma_table_info('topics')").pluck().all() as string[];
  // A new file was just created with the column; an older one gets it, and an identity per topic.
  if (!columns.includes("uid")) {
    db.exec("ALTER TABLE topics ADD COLUMN uid TEXT NOT NULL DEFAULT ''");
    const update = db.prepare("UPDATE topics SET uid = ? WHERE id = ?");
    for (const id of db.prepare("SELECT id FROM topics").pluck().all() as number[])
      update.run(randomUUID(), id);
  }
  db.exec("CREATE UNIQUE INDEX IF NOT EXISTS topics_uid ON topics (uid)");
}

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
  readonly #walPath: string;
  readonly #syncFile: SyncFile;
  /** The WAL file, opened for syncing it (SQLite keeps its own descriptor). */
  #wal: { fd: number; ino: number } | undefined;
  /** Descriptors no longer used, closed once no sync is in flight on them. */
  #retired: number[] = [];
  #syncsInFlight = 0;
  /** Whether commits must be synced before they are acknowledged (see {@link sync}). */
  readonly syncsCommits: boolean;

  constructor(dataDir: string, durability: Durability = "FULL", syncFile: SyncFile = fdatasync) {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, "events.db");
    this.#db = new Database(file);
    this.#db.pragma("journal_mode = WAL");
    // SQLite itself never syncs at commit: with FULL durability the event log calls sync() and
    // acknowledges a commit once it completes, which is what synchronous=FULL would do, except that
    // the wait for the disk happens on libuv's thread pool instead of blocking the event loop (the
    // server goes on parsing and delivering, and the next commit is written meanwhile). With NORMAL,
    // SQLite still syncs the WAL before each checkpoint and the database after it.
    this.#db.pragma("synchronous = NORMAL");
    this.syncsCommits = durability === "FULL";
    this.#walPath = `${file}-wal`;
    this.#syncFile = syncFile;
    this.#db.pragma("busy_timeout = 5000");
    try {
      migrate(this.#db, join(dataDir, "events.db"));
    } catch (error) {
      this.#db.close();
      throw error;
    }
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
        .prepare(
          "SELECT id, uid, name, created_at, max_age_ms, max_bytes, next_offset FROM topics ORDER BY name",
        )
        .all() as {
        id: number;
        uid: string;
        name: string;
        created_at: number;
        max_age_ms: number | null;
        max_bytes: number | null;
        next_offset: number;
      }[]
    ).map((row) => ({
      id: row.id,
      uid: row.uid,
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
    const uid = randomUUID();
    const info = this.#db
      .prepare("INSERT INTO topics (uid, name, created_at, max_age_ms, max_bytes) VALUES (?, ?, ?, ?, ?)")
      .run(uid, name, now, maxAgeMs, maxBytes);
    return {
      id: Number(info.lastInsertRowid),
      uid,
      name,
      createdAt: now,
      maxAgeMs,
      maxBytes,
      nextOffset: 1,
    };
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
    this.#insert.run(pushEventRow([], topicId, offset, event, now));
  }

  /** Inserts many events of one topic; multi-row statements save most of the per-row call cost. */
  insertMany(topicId: number, rows: readonly { offset: number; event: NewEvent }[], now: number): void {
    let index = 0;
    const params: unknown[] = [];
    for (; index + CHUNK <= rows.length; index += CHUNK) {
      params.length = 0;
      for (let k = index; k < index + CHUNK; k++) {
        const { offset, event } = rows[k] as { offset: number; event: NewEvent };
        pushEventRow(params, topicId, offset, event, now);
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

  /** Events from `from`, ascending; `mimetype` is the one most of them are expected to carry. */
  read(topic: string, topicId: number, from: number, limit: number, mimetype = ""): StoredEvent[] {
    const rows = this.#read.all(mimetype, topicId, from, limit) as RawEventRow[];
    const events = new Array<StoredEvent>(rows.length);
    for (let i = 0; i < rows.length; i++) events[i] = eventOf(topic, rows[i] as RawEventRow, mimetype);
    return events;
  }

  get(topic: string, topicId: number, offset: number): StoredEvent | undefined {
    const row = this.#get.get("", topicId, offset) as RawEventRow | undefined;
    return row === undefined ? undefined : eventOf(topic, row, "");
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

  /**
   * Syncs the WAL, and so every transaction committed so far, to disk without blocking: `done` is
   * called from libuv's thread pool once the data is on disk, or with the error.
   */
  sync(done: (error: Error | undefined) => void): void {
    let fd: number | undefined;
    try {
      fd = this.#walDescriptor();
    } catch (error) {
      process.nextTick(done, error);
      return;
    }
    if (fd === undefined) {
      process.nextTick(done, undefined);
      return;
    }
    this.#syncsInFlight++;
    this.#syncFile(fd, (error) => {
      this.#syncsInFlight--;
      this.#closeRetired();
      done(error ?? undefined);
    });
  }

  /** Syncs the WAL to disk before returning (when the log closes). */
  syncNow(): void {
    const fd = this.#walDescriptor();
    if (fd !== undefined) fdatasyncSync(fd);
  }

  /**
   * A descriptor of the WAL file, or undefined when there is none (nothing committed in WAL mode
   * yet). SQLite keeps the file while the database is open (a checkpoint rewrites it in place); if it
   * was ever replaced, the new file is opened.
   */
  #walDescriptor(): number | undefined {
    const stat = statSync(this.#walPath, { throwIfNoEntry: false });
    if (stat === undefined) return undefined;
    if (this.#wal?.ino !== stat.ino) {
      if (this.#wal !== undefined) this.#retired.push(this.#wal.fd);
      // Read-write: Windows syncs only handles opened for writing. Nothing is ever written through it.
      this.#wal = { fd: openSync(this.#walPath, "r+"), ino: stat.ino };
      this.#closeRetired();
    }
    return this.#wal.fd;
  }

  #closeRetired(): void {
    if (this.#syncsInFlight > 0) return;
    for (const fd of this.#retired) closeSync(fd);
    this.#retired = [];
  }

  close(): void {
    if (this.#db.open) this.#db.close();
    if (this.#wal !== undefined) this.#retired.push(this.#wal.fd);
    this.#wal = undefined;
    this.#closeRetired();
  }
}

/** Appends one event's values in the column order of the events INSERT (single and multi-row). */
function pushEventRow(
  params: unknown[],
  topicId: number,
  offset: number,
  event: NewEvent,
  now: number,
): unknown[] {
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
  return params;
}

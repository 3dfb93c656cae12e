import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";

import { EventLog } from "./event-log.js";
import { EVENTS_SCHEMA_VERSION } from "./event-store.js";

/** The tables of events.db as Weir wrote them before the schema carried a version (payloads as BLOBs). */
const UNVERSIONED_SCHEMA = `
CREATE TABLE topics (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL,
  max_age_ms INTEGER, max_bytes INTEGER, next_offset INTEGER NOT NULL DEFAULT 1);
CREATE TABLE events (topic_id INTEGER NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, data BLOB NOT NULL,
  mimetype TEXT NOT NULL, type_name TEXT, type_version INTEGER, metadata TEXT, created_at INTEGER NOT NULL,
  idem_key TEXT, size INTEGER NOT NULL, PRIMARY KEY (topic_id, seq)) WITHOUT ROWID;
CREATE UNIQUE INDEX events_idem ON events (topic_id, idem_key) WHERE idem_key IS NOT NULL;
CREATE TABLE groups (topic_id INTEGER NOT NULL, name TEXT NOT NULL, ack_floor INTEGER NOT NULL,
  acked TEXT NOT NULL DEFAULT '[]', created_at INTEGER NOT NULL, PRIMARY KEY (topic_id, name));
`;

describe("events.db schema versions", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const newDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "weir-event-store-"));
    dirs.push(dir);
    return dir;
  };

  it("opens a file written before versioning: old BLOB payloads stay readable next to new TEXT ones", async () => {
    const dir = newDir();
    const old = new Database(join(dir, "events.db"));
    old.pragma("journal_mode = WAL");
    old.exec(UNVERSIONED_SCHEMA);
    old.prepare("INSERT INTO topics (id, name, created_at, next_offset) VALUES (1, 'legacy', 1000, 3)").run();
    const insert = old.prepare(
      "INSERT INTO events (topic_id, seq, id, data, mimetype, created_at, size) VALUES (1, ?, ?, ?, ?, 1000, ?)",
    );
    insert.run(1, "old-json", Buffer.from('{"old":true}'), "application/json", 28);
    insert.run(2, "old-bytes", Buffer.from([0, 255]), "application/octet-stream", 26);
    old.close();

    const log = new EventLog({ dataDir: dir });
    const topic = log.topic("legacy");
    const data = { id: "new-json", data: '{"new":"ü"}', mimetype: "application/json" };
    await new Promise((resolve) =>
      log.publish(
        topic,
        [{ ...data, typeName: null, typeVersion: null, metadata: null, idempotencyKey: null, size: 29 }],
        resolve,
      ),
    );
    log.close();

    const again = new EventLog({ dataDir: dir });
    expect(
      again
        .topic("legacy")
        .read(1, 10)
        .map((event) => [event.offset, event.id, event.data]),
    ).toEqual([
      [1, "old-json", Buffer.from('{"old":true}')],
      [2, "old-bytes", Buffer.from([0, 255])],
      [3, "new-json", '{"new":"ü"}'],
    ]);
    again.close();
    const file = new Database(join(dir, "events.db"), { readonly: true });
    expect(file.pragma("user_version", { simple: true })).toBe(EVENTS_SCHEMA_VERSION);
    expect(file.prepare("SELECT typeof(data) AS kind FROM events ORDER BY seq").pluck().all()).toEqual([
      "blob",
      "blob",
      "text",
    ]);
    file.close();
  });

  it("gives every topic of a version-2 file an identity of its own, kept across reopens", () => {
    const dir = newDir();
    const old = new Database(join(dir, "events.db"));
    old.exec(UNVERSIONED_SCHEMA);
    old.pragma("user_version = 2");
    old.prepare("INSERT INTO topics (id, name, created_at, next_offset) VALUES (1, 'a', 1000, 751)").run();
    old.prepare("INSERT INTO topics (id, name, created_at, next_offset) VALUES (2, 'b', 1000, 1)").run();
    old.close();

    const log = new EventLog({ dataDir: dir });
    const ids = ["a", "b"].map((name) => log.summary(log.topic(name)).topicId);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
    expect(log.topic("a").lastOffset()).toBe(750);
    log.close();

    const again = new EventLog({ dataDir: dir });
    expect(["a", "b"].map((name) => again.summary(again.topic(name)).topicId)).toEqual(ids);
    // A topic deleted and created again is another incarnation, even with the same row id.
    again.deleteTopic("b");
    const recreated = again.createTopic("b", {}, false);
    expect(recreated.topicId).not.toBe(ids[1]);
    again.close();
    const file = new Database(join(dir, "events.db"), { readonly: true });
    expect(file.pragma("user_version", { simple: true })).toBe(EVENTS_SCHEMA_VERSION);
    file.close();
  });

  it("refuses a file from a newer Weir instead of misreading it", () => {
    const dir = newDir();
    const newer = new Database(join(dir, "events.db"));
    newer.pragma(`user_version = ${EVENTS_SCHEMA_VERSION + 1}`);
    newer.close();
    expect(() => new EventLog({ dataDir: dir })).toThrow(
      `has event-log schema version ${EVENTS_SCHEMA_VERSION + 1}, newer than this Weir server understands (${EVENTS_SCHEMA_VERSION})`,
    );
  });
});

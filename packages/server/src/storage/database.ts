import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";

import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import type { SqliteDatabase, SqliteStatement } from "kysely";
import pg from "pg";

import { WeirServerError } from "../errors.js";
import { migrateToLatest } from "./migrations.js";
import type { Database } from "./schema.js";

/** Which database engine holds the control plane. */
export type Dialect = "sqlite" | "postgres";

/** The opened control-plane database: one Kysely query layer whatever the engine. */
export interface Storage {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** The most bound parameters one statement may carry on this engine. */
  readonly maxParameters: number;
  close(): Promise<void>;
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * better-sqlite3 compiles a statement on every `prepare`; the hot paths (ingest, lists) repeat the
 * same SQL text, so the statements are kept in a small LRU map.
 */
function cachingDatabase(raw: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => raw.close(),
    prepare(sqlText: string): SqliteStatement {
      const cached = cache.get(sqlText);
      if (cached !== undefined) {
        cache.delete(sqlText);
        cache.set(sqlText, cached);
        return cached;
      }
      const statement = raw.prepare(sqlText) as unknown as SqliteStatement;
      if (cache.size >= STATEMENT_CACHE_SIZE) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(sqlText, statement);
      return statement;
    },
  };
}

function openSqlite(path: string): Storage {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (cause) {
    throw new WeirServerError("WEIR_BAD_OPTION", `Cannot create the folder of the database ${path}.`, {
      cause,
    });
  }
  const raw = new BetterSqlite3(path);
  raw.pragma("journal_mode = WAL");
  raw.pragma("synchronous = NORMAL");
  // Another process (a second server, a backup) may hold the lock briefly: wait, never fail.
  raw.pragma("busy_timeout = 10000");
  raw.pragma("cache_size = -65536");
  raw.pragma("temp_store = MEMORY");
  raw.pragma("mmap_size = 268435456");
  // Checkpoint the WAL every ~40 MB instead of ~4 MB: the hot right-most pages of the log
  // indices are copied back once per checkpoint, not once per few batches.
  raw.pragma("wal_autocheckpoint = 10000");
  // Kysely's SQLite driver has a single connection guarded by a mutex: every query and every
  // transaction of this process runs one after the other, so concurrent requests never meet
  // "database is locked".
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingDatabase(raw) }) });
  let closing: Promise<void> | undefined;
  return {
    db,
    dialect: "sqlite",
    maxParameters: 32_000,
    close: () =>
      (closing ??= (async () => {
        try {
          raw.pragma("optimize");
        } catch {
          // optimize is advisory
        }
        await db.destroy();
      })()),
  };
}

function openPostgres(url: string): Storage {
  // Times and counts are bigint columns; as epoch milliseconds they fit a JS number exactly.
  // (Per pool, not pg's global parsers, so other pg users in the process are not affected.)
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
  const pool = new pg.Pool({ connectionString: url, max: 10, types });
  // An idle connection that PostgreSQL closes (a restart, pg_terminate_backend, an idle timeout)
  // is an error event on the pool; unheard, it would end the process. The pool drops that
  // connection and the next query opens a new one; errors of queries in flight reach their callers.
  pool.on("error", (error) => {
    process.emitWarning(
      `A PostgreSQL connection of the Weir server was closed (${error.message}); the next query reconnects.`,
      { code: "WEIR_DB_CONNECTION_CLOSED" },
    );
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closing: Promise<void> | undefined;
  return { db, dialect: "postgres", maxParameters: 60_000, close: () => (closing ??= db.destroy()) };
}

/**
 * Opens the database named by `db` (`sqlite:<path>` or `postgres://…`) and migrates it.
 * @example const storage = await openStorage("sqlite:.weir/weir.db", ".weir");
 */
export async function openStorage(db: string | undefined, dataDir: string): Promise<Storage> {
  let storage: Storage;
  if (db === undefined || db === "" || db === "sqlite") storage = openSqlite(resolve(dataDir, "weir.db"));
  else if (db.startsWith("sqlite:")) {
    const path = db.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    storage = openSqlite(path === ":memory:" ? path : resolve(path));
  } else if (db.startsWith("postgres://") || db.startsWith("postgresql://")) storage = openPostgres(db);
  else
    throw new WeirServerError(
      "WEIR_BAD_DB_URL",
      `Unknown database "${db}". Use sqlite:<path> (e.g. sqlite:.weir/weir.db) or postgres://user@host:5432/db.`,
    );
  try {
    await migrateToLatest(storage.db, storage.dialect);
  } catch (cause) {
    await storage.close().catch(() => undefined);
    throw new WeirServerError(
      "WEIR_START_FAILED",
      `Cannot open or migrate the database ${storage.dialect === "postgres" ? db : "(SQLite)"}: ${
        cause instanceof Error ? cause.message : String(cause)
      }. Check that it is reachable and writable.`,
      { cause },
    );
  }
  return storage;
}

import { randomBytes } from "node:crypto";

import pg from "pg";

/** A database created for one test server; `drop()` removes it, even while connections are open. */
export interface PostgresDatabase {
  /** The server URL with the new database as its path. */
  readonly url: string;
  drop(): Promise<void>;
}

/** Runs one statement as the administrator of the PostgreSQL server at `serverUrl`. */
async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates `<prefix>_<random>` on the PostgreSQL server at `serverUrl` (e.g. the value of
 * `probePostgres`), so that suites, benchmarks and parallel runs never share tables.
 * @example
 * const db = await freshPostgresDatabase("postgres://postgres@127.0.0.1:5432/test");
 * try { await startServer({ db: db.url }); } finally { await db.drop(); }
 */
export async function freshPostgresDatabase(
  serverUrl: string,
  prefix = "weir_test",
): Promise<PostgresDatabase> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

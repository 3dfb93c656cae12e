// Test-only helper (excluded from the build): a database of its own for each test server.
import { randomBytes } from "node:crypto";

import pg from "pg";

/** A database created for one test; `drop()` removes it, even while connections are open. */
export interface PostgresDatabase {
  /** The server URL with the new database as its path. */
  readonly url: string;
  drop(): Promise<void>;
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates `weir_yelp_<random>` on the PostgreSQL server at `serverUrl`, so that runs never share
 * tables with each other or with other suites.
 * @example const db = await freshPostgresDatabase("postgres://postgres@127.0.0.1:5432/test");
 */
export async function freshPostgresDatabase(serverUrl: string): Promise<PostgresDatabase> {
  const name = `weir_yelp_${randomBytes(6).toString("hex")}`;
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { freshPostgresDatabase } from "./postgres-database.js";

/**
 * Where {@link startTempServer} asks for a server: loopback, a port, a data folder, and a database
 * URL when it runs on PostgreSQL (without `db` the Weir server keeps SQLite in `dataDir`).
 */
export interface ServerPlace {
  host: "127.0.0.1";
  port: number;
  dataDir: string;
  db?: string;
}

/** What a started Weir server offers the helper (`WeirServer` of `@weir/server` fits). */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Options of {@link startTempServer}. */
export interface TempServerOptions {
  /** The data folder, kept on close (a restart reuses it). @default a new temp folder, removed on close */
  dataDir?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** A PostgreSQL server (`postgres://…`): the control plane goes to a fresh database on it, dropped on close. */
  postgresUrl?: string | undefined;
  /** The name of the temp folder starts with it. @default "weir-test-" */
  prefix?: string;
}

/** A real Weir server on a temp folder; `close()` stops it and removes what the helper created. */
export interface TempServer<S extends RunningServer> {
  readonly server: S;
  readonly url: string;
  readonly dataDir: string;
  /** The database of a server on PostgreSQL, else `undefined`. */
  readonly databaseUrl: string | undefined;
  close(): Promise<void>;
}

/**
 * Starts a real Weir server on a temp data folder (and a database of its own on PostgreSQL). It is
 * handed the `startServer` to call, so that the server's own tests run their sources and this
 * package does not depend on `@weir/server`.
 *
 * @example
 * import { startServer } from "@weir/server";
 * const weir = await startTempServer((place) => startServer({ ...place, apiKey: "" }));
 * try { await fetch(`${weir.url}/api/health`); } finally { await weir.close(); }
 */
export async function startTempServer<S extends RunningServer>(
  start: (place: ServerPlace) => Promise<S>,
  options: TempServerOptions = {},
): Promise<TempServer<S>> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), options.prefix ?? "weir-test-"));
  const removeDir = (): void => {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
  let server: S;
  try {
    if (options.postgresUrl !== undefined) database = await freshPostgresDatabase(options.postgresUrl);
    server = await start({
      host: "127.0.0.1",
      port: options.port ?? 0,
      dataDir,
      ...(database === undefined ? {} : { db: database.url }),
    });
  } catch (error) {
    await database?.drop();
    removeDir();
    throw error;
  }
  return {
    server,
    url: server.url,
    dataDir,
    databaseUrl: database?.url,
    async close() {
      try {
        await server.close();
      } finally {
        await database?.drop();
        removeDir();
      }
    },
  };
}

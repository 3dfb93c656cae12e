import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { probePostgres, requireService } from "@weir/test-support";
import pg from "pg";

import { startServer } from "../start-server.js";
import type { WeirServer } from "../start-server.js";
import type { ServerOptions } from "../options.js";

/** The machine's PostgreSQL (skips on a dev machine without it, fails under CI). */
export const postgres = await requireService("PostgreSQL", () => probePostgres());

/** A storage backend a suite runs against. */
export interface Backend {
  name: "sqlite" | "postgres";
  skip: boolean;
}

/** Every backend: the contract suites run against each. */
export const BACKENDS: Backend[] = [
  { name: "sqlite", skip: false },
  { name: "postgres", skip: postgres.skip },
];

/** Creates `weir_test_<random>` on the machine's PostgreSQL; `drop()` removes it. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = postgres.value;
  if (base === undefined) throw new Error("PostgreSQL is not available");
  const name = `weir_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A running test server and the helpers to talk to it. */
export interface TestServer {
  server: WeirServer;
  url: string;
  dataDir: string;
  /** The PostgreSQL database of a `postgres` test server. */
  databaseUrl: string | undefined;
  /** fetch + JSON: resolves with the status and the parsed body (or the text). */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: unknown }>;
  /** Like `call` but the body is typed as `T` (for successful answers). */
  json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  close(): Promise<void>;
}

/** Starts a server on a random port over a fresh database of the backend. */
export async function startTestServer(
  backend: Backend["name"],
  options: ServerOptions = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "weir-server-test-"));
  const database = backend === "postgres" ? await freshPostgresDatabase() : undefined;
  const server = await startServer({
    port: 0,
    dataDir,
    db: database?.url ?? `sqlite:${join(dataDir, "weir.db")}`,
    uiDir: join(dataDir, "no-ui"),
    retentionCheckIntervalMs: 3_600_000,
    apiKey: "",
    ...options,
  });
  const call: TestServer["call"] = async (method, path, body, headers = {}) => {
    const res = await fetch(server.url + path, {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  };
  return {
    server,
    url: server.url,
    dataDir,
    databaseUrl: database?.url,
    call,
    async json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
      const { status, body: parsed } = await call(method, path, body, headers);
      if (status >= 300) throw new Error(`${method} ${path} → ${status} ${JSON.stringify(parsed)}`);
      return parsed as T;
    },
    async close() {
      await server.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A new UUID (shorthand for tests). */
export const uuid = (): string => randomUUID();

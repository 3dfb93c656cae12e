// Test code of @weir/server (not part of the build): the storage backends the suites run against and a
// real server on a temp folder with fetch helpers. It starts the server from the sources under test.
import { randomUUID } from "node:crypto";
import { join } from "node:path";

import { probePostgres, requireService, startTempServer } from "@weir/test-support";

import type { ServerOptions } from "../src/options.js";
import { startServer } from "../src/start-server.js";
import type { WeirServer } from "../src/start-server.js";

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
  if (backend === "postgres" && postgres.value === undefined) throw new Error("PostgreSQL is not available");
  const weir = await startTempServer(
    (place) =>
      startServer({
        ...place,
        uiDir: join(place.dataDir, "no-ui"),
        retentionCheckIntervalMs: 3_600_000,
        apiKey: "",
        ...options,
      }),
    { prefix: "weir-server-test-", postgresUrl: backend === "postgres" ? postgres.value : undefined },
  );
  const { server } = weir;
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
    dataDir: weir.dataDir,
    databaseUrl: weir.databaseUrl,
    call,
    async json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
      const { status, body: parsed } = await call(method, path, body, headers);
      if (status >= 300) throw new Error(`${method} ${path} → ${status} ${JSON.stringify(parsed)}`);
      return parsed as T;
    },
    close: () => weir.close(),
  };
}

/** A new UUID (shorthand for tests). */
export const uuid = (): string => randomUUID();

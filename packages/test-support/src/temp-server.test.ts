import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import pg from "pg";
import { describe, expect, it } from "vitest";

import { freshPostgresDatabase } from "./postgres-database.js";
import { probePostgres } from "./probes.js";
import { requireService } from "./require-service.js";
import type { ServerPlace } from "./temp-server.js";
import { startTempServer } from "./temp-server.js";

const postgres = await requireService("PostgreSQL", () => probePostgres());

/** A real HTTP server standing in for `startServer`: it answers with the place it was given. */
async function placeServer(place: ServerPlace): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_, res) => res.end(JSON.stringify(place)));
  await new Promise<void>((resolve) => server.listen(place.port, place.host, resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://${place.host}:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

async function databaseExists(serverUrl: string, url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const name = new URL(url).pathname.slice(1);
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return found.rowCount === 1;
  } finally {
    await client.end();
  }
}

describe("startTempServer", () => {
  it("starts the server on a temp folder of its own and removes the folder on close", async () => {
    const weir = await startTempServer(placeServer, { prefix: "weir-temp-server-" });
    const place = (await (await fetch(weir.url)).json()) as ServerPlace;
    expect(place).toEqual({ host: "127.0.0.1", port: 0, dataDir: weir.dataDir });
    expect(weir.dataDir).toContain("weir-temp-server-");
    expect(existsSync(weir.dataDir)).toBe(true);
    await weir.close();
    expect(existsSync(weir.dataDir)).toBe(false);
  });

  it("keeps a data folder it was given, so that a restarted server finds its data", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "weir-temp-server-given-"));
    try {
      const weir = await startTempServer(placeServer, { dataDir });
      expect(weir.dataDir).toBe(dataDir);
      await weir.close();
      expect(existsSync(dataDir)).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("cleans up its temp folder when the server fails to start", async () => {
    let seen = "";
    const failing = (place: ServerPlace): Promise<never> => {
      seen = place.dataDir;
      return Promise.reject(new Error("port in use"));
    };
    await expect(startTempServer(failing)).rejects.toThrow("port in use");
    expect(seen).not.toBe("");
    expect(existsSync(seen)).toBe(false);
  });

  it.skipIf(postgres.skip)(
    "gives a server on PostgreSQL a database of its own and drops it on close",
    async () => {
      const serverUrl = postgres.value ?? "";
      const weir = await startTempServer(placeServer, { postgresUrl: serverUrl });
      const place = (await (await fetch(weir.url)).json()) as ServerPlace;
      expect(place.db).toBe(weir.databaseUrl);
      expect(await databaseExists(serverUrl, place.db ?? "")).toBe(true);
      await weir.close();
      expect(await databaseExists(serverUrl, place.db ?? "")).toBe(false);
    },
  );
});

describe.skipIf(postgres.skip)("freshPostgresDatabase", () => {
  it("creates a database named after the prefix that drop() removes, even while a client is connected", async () => {
    const serverUrl = postgres.value ?? "";
    const db = await freshPostgresDatabase(serverUrl, "weir_support");
    expect(new URL(db.url).pathname).toMatch(/^\/weir_support_[0-9a-f]{12}$/);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    client.on("error", () => undefined); // the forced drop ends this connection
    await client.query("CREATE TABLE t (x int)");
    await db.drop();
    expect(await databaseExists(serverUrl, db.url)).toBe(false);
    await client.end().catch(() => undefined);
  });
});

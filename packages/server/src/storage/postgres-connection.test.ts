import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { postgres, startTestServer } from "../../test/backends.js";
import type { TestServer } from "../../test/backends.js";

describe.skipIf(postgres.skip)("the server on PostgreSQL when its connections are closed", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer("postgres");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("keeps serving after PostgreSQL terminates its idle connections", async () => {
    // Open a few pooled connections, then let them go idle.
    await Promise.all(Array.from({ length: 4 }, () => t.json("GET", "/api/runs?limit=1")));
    const database = new URL(t.databaseUrl ?? "").pathname.slice(1);
    const admin = new pg.Client({ connectionString: postgres.value });
    await admin.connect();
    let terminated: number;
    try {
      const result = await admin.query<{ terminated: boolean }>(
        "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [database],
      );
      terminated = result.rows.filter((row) => row.terminated).length;
    } finally {
      await admin.end();
    }
    expect(terminated).toBeGreaterThan(0);
    // The pool hears each closed connection (without an error listener the process would end here).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const created = await t.json<{ id: string }>("POST", "/api/runs", {
      flowName: "after-terminate",
      state: "Running",
    });
    expect((await t.json<{ id: string }>("GET", `/api/runs/${created.id}`)).id).toBe(created.id);
  });
});

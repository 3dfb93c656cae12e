import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { ServiceMissingError } from "./errors.js";
import { probeNats, probePostgres, probeSharedFile } from "./probes.js";
import { requireService } from "./require-service.js";

// Port 9 (discard) is closed on these machines, so this probe always fails.
const closed = { WEIR_TEST_POSTGRES_URL: "postgres://127.0.0.1:9/none" };

describe("requireService", () => {
  it("skips with the reason on a developer machine when the service is missing", async () => {
    const handle = await requireService("PostgreSQL", () => probePostgres(closed), { CI: undefined });
    expect(handle.skip).toBe(true);
    expect(handle.value).toBeUndefined();
    expect(handle.reason).toMatch(/cannot connect to 127\.0\.0\.1:9/);
  });

  it("fails instead of skipping under CI=true", async () => {
    const attempt = requireService("PostgreSQL", () => probePostgres(closed), { CI: "true" });
    await expect(attempt).rejects.toBeInstanceOf(ServiceMissingError);
    await expect(attempt).rejects.toThrow(/CI=true forbids skipping/);
  });

  it("hands over the value when the service answers", async () => {
    const shared = mkdtempSync(join(tmpdir(), "weir-shared-"));
    try {
      mkdirSync(join(shared, "docs"));
      writeFileSync(join(shared, "docs", "architecture.md"), "# Weir\n");
      const env = { WEIR_SHARED_DIR: shared };
      const handle = await requireService("shared data", () => probeSharedFile("docs/architecture.md", env));
      expect(handle.skip).toBe(false);
      expect(handle.value).toBe(join(shared, "docs", "architecture.md"));
      const missing = await requireService("shared data", () => probeSharedFile("data/none.csv", env), {
        CI: undefined,
      });
      expect(missing.skip).toBe(true);
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it("reports a server that is not NATS", async () => {
    // PostgreSQL does not send a greeting, so the probe times out or reports it.
    const result = await probeNats({ WEIR_TEST_NATS_URL: "nats://127.0.0.1:9" }).catch((e: Error) => e);
    expect(result).toBeInstanceOf(Error);
  });
});

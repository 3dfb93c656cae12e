import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { afterAll, describe, expect, it } from "vitest";

import { loadBackendPackage } from "./backend-package.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "../..");

describe("loadBackendPackage", () => {
  it("throws BackendNotInstalledError naming the npm install command when the package is missing", async () => {
    const error = (await loadBackendPackage("@weir/stream-not-installed", "Example", "example://h:1").catch(
      (e: unknown) => e,
    )) as Error;
    expect(error).toMatchObject({
      name: "BackendNotInstalledError",
      code: "WEIR_BACKEND_NOT_INSTALLED",
      retryable: false,
      packageName: "@weir/stream-not-installed",
    });
    expect(error.message).toContain("npm install @weir/stream-not-installed");
    expect(error.message).toContain('Stream URL "example://h:1" needs the Example backend');
  });

  it("refuses a package that does not export openStream", async () => {
    // @weir/protocol is installed, but it is no backend.
    await expect(loadBackendPackage("@weir/protocol", "Example", "example://h:1")).rejects.toMatchObject({
      code: "WEIR_BACKEND_NOT_INSTALLED",
      cause: { message: expect.stringContaining("does not export openStream()") as unknown },
    });
  });
});

describe("connect() in an application without @weir/stream-nats", () => {
  // An application folder holding only the built @weir/stream and what it depends on.
  let app = "";
  afterAll(() => {
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it("throws BackendNotInstalledError for a nats:// URL, saying to npm install @weir/stream-nats", async () => {
    app = mkdtempSync(join(tmpdir(), "weir-no-nats-"));
    const installed = join(app, "node_modules/@weir");
    mkdirSync(installed, { recursive: true });
    cpSync(join(packageDir, "package.json"), join(installed, "stream/package.json"));
    cpSync(join(packageDir, "dist"), join(installed, "stream/dist"), { recursive: true });
    symlinkSync(join(packageDir, "../protocol"), join(installed, "protocol"), "dir");
    writeFileSync(
      join(app, "main.mjs"),
      `import { connect } from "@weir/stream";
try { await connect({ url: "nats://127.0.0.1:4222" }); console.log("connected"); }
catch (error) { console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message })); }`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ["main.mjs"], { cwd: app });
    const error = JSON.parse(stdout) as { name: string; code: string; message: string };
    expect(error).toMatchObject({ name: "BackendNotInstalledError", code: "WEIR_BACKEND_NOT_INSTALLED" });
    expect(error.message).toContain("npm install @weir/stream-nats");
  });
});

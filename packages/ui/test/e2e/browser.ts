import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import type { Browser } from "playwright-core";
import { chromium } from "playwright-core";

/** The flags the system Chromium runs with in tests: no sandbox (containers), no network chatter. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Launches the system Chromium (never a downloaded one). */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}

export const uiRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Builds the dashboard from the current sources into a fresh temporary folder, so a test never
 * runs against a stale `dist/`.
 */
export async function buildUi(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), "weir-ui-build-"));
  const { build } = await import("vite");
  await build({
    root: uiRoot,
    configFile: join(uiRoot, "vite.config.ts"),
    logLevel: "warn",
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  return outDir;
}

/** Where the tests write their screenshots: `WEIR_SCREENSHOT_DIR`, else a temp folder. */
export function screenshotDir(): string {
  return process.env.WEIR_SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), "weir-ui-screenshots-"));
}

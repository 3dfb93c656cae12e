/**
 * `npm run bench:log-latency`: the time from a log line written by a flow to its appearance in an
 * open Logs tab (issue 16), with the default client settings, and how many ingest requests the
 * client sent per line (the server's load per line).
 *
 * A real server (SQLite) serves the built dashboard; a real flow process (`log-latency-flow.mjs`)
 * logs probe lines carrying the wall-clock time of the logger call; a real Chromium has the run's
 * Logs tab open and a MutationObserver notes when each probe line enters the page. Same machine, same
 * clock. Phases: "sparse" (a monitor's warnings: random gaps of 0.3–2.5 s) and "busy" (a gap of
 * 20–80 ms, ~20 lines/s).
 *
 * Env: BENCH_SPARSE (lines, default 60), BENCH_BUSY (lines, default 300), BENCH_LABEL (a name for
 * this measurement in the output, e.g. "before"/"after"), BENCH_OUT (append the table to this file).
 */
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { startServer } from "@weir/server";
import { probeChromium } from "@weir/test-support";

import { buildUi, launchChromium } from "../../packages/ui/test/e2e/browser.js";

const SPARSE = Number(process.env.BENCH_SPARSE ?? 60);
const BUSY = Number(process.env.BENCH_BUSY ?? 300);
const LABEL = process.env.BENCH_LABEL ?? "current";
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "../..");

const chromium = await probeChromium();
if (!chromium.ok) throw new Error(`Chromium is needed: ${chromium.reason}`);
const dataDir = mkdtempSync(join(tmpdir(), "weir-log-latency-"));
const home = mkdtempSync(join(tmpdir(), "weir-log-latency-home-"));
const uiDir = await buildUi();
const server = await startServer({ host: "127.0.0.1", port: 0, dataDir, uiDir });
const browser = await launchChromium(chromium.value);

const child = spawn(process.execPath, [join(here, "log-latency-flow.mjs")], {
  cwd: repoRoot,
  env: { ...process.env, WEIR_API_URL: server.url, WEIR_HOME: home, WEIR_PRINT_LOGS: "0" },
  stdio: ["pipe", "pipe", "inherit"],
});
const messages: Record<string, unknown>[] = [];
let wake = (): void => {};
createInterface({ input: child.stdout }).on("line", (line) => {
  messages.push(JSON.parse(line) as Record<string, unknown>);
  wake();
});
async function next(key: string): Promise<Record<string, unknown>> {
  for (;;) {
    const found = messages.findIndex((m) => key in m);
    if (found >= 0) return messages.splice(found, 1)[0]!;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}

const runId = String((await next("ready")).ready);
const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
await page.goto(`${server.url}/#/runs/${runId}`);
await page.locator(".log-line", { hasText: "latency bench started" }).waitFor({ timeout: 15_000 });
await page.evaluate(() => {
  const seen: Record<string, number> = {};
  (window as unknown as { probes: Record<string, number> }).probes = seen;
  new MutationObserver((records) => {
    const now = Date.now();
    for (const record of records)
      for (const node of record.addedNodes) {
        const text = node.textContent ?? "";
        for (const match of text.matchAll(/latency-probe (\w+) (\d+) (\d+)/g)) {
          const key = `${match[1]} ${match[2]}`;
          seen[key] ??= now - Number(match[3]);
        }
      }
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
});

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const rows: string[] = [];
for (const [phase, count, minGap, maxGap] of [
  ["sparse", SPARSE, 300, 2500],
  ["busy", BUSY, 20, 80],
] as const) {
  if (count === 0) continue;
  child.stdin.write(`go ${phase} ${count} ${minGap} ${maxGap}\n`);
  const done = await next("phase");
  await page.waitForTimeout(1500);
  const probes = await page.evaluate(() => (window as unknown as { probes: Record<string, number> }).probes);
  const latencies = Object.entries(probes)
    .filter(([key]) => key.startsWith(`${phase} `))
    .map(([, ms]) => ms);
  const row =
    `| ${LABEL} | ${phase} (${minGap}–${maxGap} ms gaps) | ${latencies.length}/${count} | ` +
    `${quantile(latencies, 0.5)} | ${quantile(latencies, 0.9)} | ${Math.max(...latencies)} | ` +
    `${String(done.requests)} | ${(Number(done.requests) / count).toFixed(3)} |`;
  rows.push(row);
  console.log(row);
}
child.stdin.end("stop\n");
const exited = new Promise((resolve) => child.once("exit", resolve));
if (
  (await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("late"), 10_000))])) ===
  "late"
)
  child.kill("SIGKILL");
await browser.close();
await server.close();
for (const dir of [dataDir, home, uiDir]) rmSync(dir, { recursive: true, force: true });

const header =
  `\n${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, ${cpus().length} cores, ` +
  `load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ")}\n\n` +
  "| code | phase | lines seen | p50 ms | p90 ms | max ms | ingest requests | requests per line |\n" +
  "|---|---|---|---|---|---|---|---|\n";
if (process.env.BENCH_OUT) appendFileSync(process.env.BENCH_OUT, header + rows.join("\n") + "\n");

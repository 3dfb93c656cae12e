/**
 * Throughput of the original application's loop with @weir/learn:
 *   predictOne → confusion-matrix and report update → precision/recall → learnOne
 * with and without predictProbaOne, on yelp-20k, SST-2 train and IMDB train (data in memory,
 * fresh model per run, median of 5 runs). Prints a markdown table.
 *
 *   node --import tsx bench/learn/learn.ts        # from the repository root
 *   RUNS=5 DATASETS=yelp-20k node --import tsx bench/learn/learn.ts
 *
 * It measures the compiled package (packages/learn/dist, `npm run build` first) when it exists,
 * as users run it; LEARN_SRC=1 forces the TypeScript sources through tsx instead.
 */
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resourceUsage } from "node:process";
import { cpus, loadavg } from "node:os";
import { readLabelledCsv } from "../../packages/learn/test/support/csv.js";

import type * as LearnModule from "../../packages/learn/src/index.js";

type Learn = typeof LearnModule;

const REPO_ROOT = new URL("../../", import.meta.url);
const SHARED = new URL("../shared/", REPO_ROOT);

const DATASETS: { name: string; file: string; labelColumn: string; river?: string }[] = [
  { name: "yelp-20k", file: "data/yelp-20k.csv", labelColumn: "sentiment" },
  { name: "sst2-train", file: "data/sst2/train.csv", labelColumn: "label" },
  { name: "imdb-train", file: "data/imdb-50k/train.csv", labelColumn: "label" },
];

const DIST = new URL("../../packages/learn/dist/index.js", import.meta.url);

async function loadLearn(): Promise<{ learn: Learn; from: string }> {
  if (process.env["LEARN_SRC"] !== "1" && existsSync(fileURLToPath(DIST))) {
    return { learn: (await import(DIST.href)) as Learn, from: "packages/learn/dist" };
  }
  return {
    learn: await import("../../packages/learn/src/index.js"),
    from: "packages/learn/src (through tsx)",
  };
}

interface RunResult {
  seconds: number;
  cpuSeconds: number;
  accuracy: number;
  precision: number;
  recall: number;
}

function runLoop(L: Learn, rows: { text: string; label: number }[], withProba: boolean): RunResult {
  const model = new L.Pipeline<string>(new L.BagOfWords({ lowercase: true }), new L.MultinomialNB());
  const cm = new L.metrics.ConfusionMatrix({ classes: [0, 1] });
  const report = new L.metrics.ClassificationReport();
  const pr = new L.metrics.Metrics([
    new L.metrics.Precision({ cm, posVal: 0 }),
    new L.metrics.Recall({ cm, posVal: 0 }),
  ]);
  let sink = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as { text: string; label: number };
    const yPred = model.predictOne(row.text);
    if (withProba) sink += model.predictProbaOne(row.text).size;
    if (yPred !== undefined) {
      cm.update(row.label, yPred);
      report.update(row.label, yPred);
      const [p, r] = pr.get();
      sink += (p as number) + (r as number);
    }
    model.learnOne(row.text, row.label);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (sink === -1) console.log(sink);
  const acc = new L.metrics.Accuracy({ cm });
  const [precision, recall] = pr.get() as [number, number];
  return { seconds, cpuSeconds, accuracy: acc.get(), precision, recall };
}

/**
 * One timed run: passes over the data, each with a fresh model, repeated until at least
 * MIN_RUN_SECONDS have elapsed, so that short datasets are not timed over a few milliseconds of a
 * noisy machine. Returns the time per pass.
 */
const MIN_RUN_SECONDS = Number(process.env["MIN_RUN_SECONDS"] ?? 1);

function timedRun(L: Learn, rows: { text: string; label: number }[], withProba: boolean): RunResult {
  let passes = 0;
  let seconds = 0;
  let cpuSeconds = 0;
  let last: RunResult | undefined;
  do {
    last = runLoop(L, rows, withProba);
    passes++;
    seconds += last.seconds;
    cpuSeconds += last.cpuSeconds;
  } while (seconds < MIN_RUN_SECONDS);
  return { ...last, seconds: seconds / passes, cpuSeconds: cpuSeconds / passes };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function main(): Promise<void> {
  const { learn: L, from } = await loadLearn();
  const runs = Number(process.env["RUNS"] ?? 5);
  const only = process.env["DATASETS"]?.split(",");
  const lines: string[] = [
    `@weir/learn from ${from}; Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        " / ",
      )} at start; median of ${runs} runs (a run repeats fresh-model passes for at least ${MIN_RUN_SECONDS} s), data in memory.`,
    "",
    "| dataset | rows | loop docs/s (median) | loop + predictProbaOne docs/s (median) | loop docs/s (best run) | loop docs per CPU-second (median) | peak RSS MiB | peak heap MiB | final accuracy | P(0) / R(0) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  let peakHeap = 0;
  for (const d of DATASETS) {
    if (only !== undefined && !only.includes(d.name)) continue;
    const path = fileURLToPath(new URL(d.file, SHARED));
    if (!existsSync(path)) {
      lines.push(`| ${d.name} | – | missing ${d.file} | | | | | | | |`);
      continue;
    }
    const rows = readLabelledCsv(readFileSync(path, "utf8"), "text", d.labelColumn);
    // Warm-up (JIT), not counted: one full pass of each variant.
    runLoop(L, rows, false);
    runLoop(L, rows, true);
    const plain: RunResult[] = [];
    const proba: RunResult[] = [];
    for (let r = 0; r < runs; r++) {
      plain.push(timedRun(L, rows, false));
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      proba.push(timedRun(L, rows, true));
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }
    const first = plain[0] as RunResult;
    const same = [...plain, ...proba].every(
      (r) => r.accuracy === first.accuracy && r.precision === first.precision,
    );
    const rate = (rs: RunResult[], key: "seconds" | "cpuSeconds" = "seconds"): string =>
      Math.round(rows.length / median(rs.map((r) => r[key]))).toLocaleString("en-US");
    const best = (rs: RunResult[]): string =>
      Math.round(rows.length / Math.min(...rs.map((r) => r.seconds))).toLocaleString("en-US");
    const rss = resourceUsage().maxRSS / 1024;
    lines.push(
      `| ${d.name} | ${rows.length.toLocaleString("en-US")} | ${rate(plain)} | ${rate(proba)} | ${best(plain)} | ${rate(plain, "cpuSeconds")} | ${rss.toFixed(0)} | ${(peakHeap / 2 ** 20).toFixed(0)} | ${first.accuracy.toFixed(6)}${same ? "" : " (runs differ!)"} | ${first.precision.toFixed(4)} / ${first.recall.toFixed(4)} |`,
    );
  }
  lines.push(
    "",
    "Peak RSS is the process maximum so far (it includes the parsed CSV text), so it grows down the table.",
    "Docs per CPU-second divide by the process's user + system time; with the best run they are the figures least disturbed by other load on a shared machine.",
  );
  console.log(lines.join("\n"));
}

await main();

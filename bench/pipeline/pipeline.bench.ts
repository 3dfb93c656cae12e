/**
 * The whole Yelp sentiment application on ../shared/data/yelp-20k.csv: the publisher, the model
 * subscriber and the monitor as three processes (`weir example yelp …`) against a fresh Weir
 * server, on the embedded event log and on NATS JetStream.
 *
 * - Throughput: publish all 20,000 rows as fast as acks allow; end-to-end events/s = rows / (time
 *   from the first review stored to the last metric seen by the monitor). Median of 3 runs, each
 *   against a fresh server: with the subscriber's default charts (a precision and a recall point
 *   per event, at most 100 a second each) and, on the embedded backend, with a chart point for
 *   every event (`--chart-max-rate 0`).
 * - Latency: publish 5,000 rows at a steady 1,000 events/s; for each metric, the time from the
 *   review being stored to the metric reaching a monitor (an extra reader of river_metrics in this
 *   process, beside the monitor process; both see each metric at the same moment).
 *
 * Run: npm run build && npm run bench:pipeline   (WEIR_BENCH_NATS_URL overrides nats://127.0.0.1:4222;
 * WEIR_BENCH_ONLY=embedded|NATS measures one backend)
 */
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import type { MetricsEvent } from "@weir/example-yelp-sentiment";
import { startServer } from "@weir/server";
import { connect } from "@weir/stream";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const cli = join(root, "packages/cli/dist/bin.js");
const data = process.env.WEIR_BENCH_YELP ?? resolve(root, "../shared/data/yelp-20k.csv");
const natsUrl = process.env.WEIR_BENCH_NATS_URL ?? "nats://127.0.0.1:4222";

interface Outcome {
  readonly backend: string;
  readonly mode: string;
  readonly charts: string;
  readonly rows: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** events/s of every run, when the figure is a median. */
  readonly runs?: readonly number[];
}

/** Runs of each "as fast as acks allow" scenario; the table shows the median. */
const FAST_RUNS = Number(process.env.WEIR_BENCH_RUNS ?? 3);

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function component(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [cli, "example", "yelp", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    if (/error|fail|arrived before|never arrived/i.test(text)) process.stderr.write(`[${args[0]}] ${text}`);
  });
  return child;
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once("exit", () => done());
    child.kill("SIGINT");
    setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
  });
}

async function scenario(
  backend: "embedded" | "NATS",
  path: string,
  rows: number,
  rate: number | undefined,
  chartMaxRate: number,
): Promise<Outcome> {
  const home = mkdtempSync(join(tmpdir(), "weir-bench-pipeline-"));
  const server = await startServer({ port: 0, dataDir: join(home, "server") });
  const suffix = randomUUID().slice(0, 8);
  const pipeline = `bench_pipeline_${suffix}`;
  const metricsTopic = `bench_metrics_${suffix}`;
  const streamUrl = backend === "NATS" ? natsUrl : server.url;
  const env = {
    WEIR_API_URL: server.url,
    WEIR_HOME: join(home, "client"),
    WEIR_PRINT_LOGS: "0",
    ...(backend === "NATS" ? { WEIR_STREAM_URL: natsUrl } : {}),
  };
  const stream = await connect({ url: streamUrl });
  await stream.ensureTopic(pipeline);
  await stream.ensureTopic(metricsTopic);
  const monitor = component(["metrics", "--topic", metricsTopic], env);
  // WEIR_BENCH_CHART_EVERY=n sends a chart point every n events instead of every event.
  const chartEvery = process.env.WEIR_BENCH_CHART_EVERY ?? "1";
  const subscriber = component(
    [
      "subscribe",
      ...["--input-topic", pipeline, "--metrics-topic", metricsTopic],
      ...["--chart-every", chartEvery, "--chart-max-rate", String(chartMaxRate)],
    ],
    env,
  );

  const latencies: number[] = [];
  let firstStored = Number.POSITIVE_INFINITY;
  let lastSeen = 0;
  const reading = new AbortController();
  const reader = (async () => {
    for await (const event of stream.subscribe(metricsTopic, {
      from: "earliest",
      signal: reading.signal,
      maxInFlight: 10_000,
    })) {
      const now = Date.now();
      const metrics = event.json<MetricsEvent>();
      latencies.push(now - metrics.sourceAt);
      firstStored = Math.min(firstStored, metrics.sourceAt);
      lastSeen = now;
      void event.ack();
      if (latencies.length >= rows) reading.abort();
    }
  })();
  // Let both subscribers connect before the first row is published.
  await new Promise((done) => setTimeout(done, 1500));
  const publisher = component(
    ["publish", "--data", path, "--topic", pipeline, ...(rate === undefined ? [] : ["--rate", String(rate)])],
    env,
  );
  const timeout = setTimeout(() => reading.abort(), 300_000);
  await reader;
  clearTimeout(timeout);
  await stopped(publisher);
  await Promise.all([stopped(subscriber), stopped(monitor)]);
  if (backend === "NATS") {
    await stream.deleteTopic(pipeline).catch(() => undefined);
    await stream.deleteTopic(metricsTopic).catch(() => undefined);
  }
  await stream.close();
  await server.close();
  rmSync(home, { recursive: true, force: true });
  if (latencies.length < rows)
    throw new Error(`${backend}: only ${latencies.length} of ${rows} metrics arrived`);
  const seconds = (lastSeen - firstStored) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    backend,
    mode: rate === undefined ? "as fast as acks allow" : `steady ${rate} events/s`,
    charts: chartMaxRate === 0 ? "every event" : `≤ ${chartMaxRate}/s`,
    rows,
    seconds,
    eventsPerSecond: rows / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

async function natsAvailable(): Promise<boolean> {
  try {
    const stream = await connect({ url: natsUrl, timeoutMs: 2000 });
    await stream.close();
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  if (!existsSync(data)) throw new Error(`${data} is missing (set WEIR_BENCH_YELP).`);
  const lines = readFileSync(data, "utf8").split("\n");
  const steadyRows = 5_000;
  const steadyFile = join(tmpdir(), `weir-bench-yelp-${steadyRows}.csv`);
  writeFileSync(steadyFile, `${lines.slice(0, steadyRows + 1).join("\n")}\n`);
  const allRows = lines.filter((line) => line.trim() !== "").length - 1;

  const only = process.env.WEIR_BENCH_ONLY;
  const backends: ("embedded" | "NATS")[] = only === "NATS" ? [] : ["embedded"];
  if (only !== "embedded") {
    if (await natsAvailable()) backends.push("NATS");
    else console.warn(`NATS is not reachable at ${natsUrl}; measuring the embedded backend only.`);
  }

  const outcomes: Outcome[] = [];
  const record = (outcome: Outcome): void => {
    console.log(JSON.stringify(outcome));
    outcomes.push(outcome);
  };
  for (const backend of backends) {
    for (const chartMaxRate of backend === "embedded" ? [100, 0] : [100]) {
      const runs: Outcome[] = [];
      for (let run = 0; run < FAST_RUNS; run++)
        runs.push(await scenario(backend, data, allRows, undefined, chartMaxRate));
      const sorted = [...runs].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
      const median = sorted[Math.floor(sorted.length / 2)] as Outcome;
      record({ ...median, runs: runs.map((r) => Math.round(r.eventsPerSecond)) });
    }
    record(await scenario(backend, steadyFile, steadyRows, 1000, 100));
  }
  rmSync(steadyFile, { force: true });

  const table = outcomes.map(
    (o) =>
      `| ${o.backend} | ${o.mode} | ${o.charts} | ${o.rows.toLocaleString("en-US")} | ${o.seconds.toFixed(2)} | ` +
      `${Math.round(o.eventsPerSecond).toLocaleString("en-US")}` +
      `${o.runs ? ` (runs: ${o.runs.map((r) => r.toLocaleString("en-US")).join(", ")})` : ""} | ` +
      `${o.p50} | ${o.p99} | ${o.max} |`,
  );
  const report = [
    "# Pipeline benchmark (`npm run bench:pipeline`)",
    "",
    `Measured ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Node ${process.version}.`,
    "The publisher, the model subscriber and the monitor run as three processes (`weir example yelp …`)",
    "against a fresh Weir server (SQLite) with default settings: checkpoint every 1,000 events or 1 s; a",
    "`precision` and a `recall` chart point per event, at most 100 a second each (`--chart-max-rate`, the",
    "latest value charted at each checkpoint); the metrics topic gets every event's metrics either way.",
    'The "every event" row charts all 40,000 points (`--chart-max-rate 0`). Events/s = rows / (first review',
    `stored → last metric seen), the median of ${FAST_RUNS} runs each against a fresh server for the "as fast as acks`,
    'allow" rows. Latency = review stored → its metric seen by a reader of the metrics topic, in ms.',
    "",
    "| backend | mode | charts | rows | seconds | end-to-end events/s | p50 ms | p99 ms | max ms |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ...table,
    "",
    "Targets: ≥ 20,000 events/s end to end on the embedded backend; p99 ≤ 50 ms at 1,000 events/s.",
    "",
  ].join("\n");
  writeFileSync(join(here, "RESULTS-pipeline.md"), report);
  console.log(report);
}

await main();

import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { basename, join, resolve } from "node:path";

import { Command } from "commander";

import { WeirApi } from "../api.js";
import type { Component, DeployedApp } from "./demo-deployments.js";
import { cancelActiveRuns, deployApplication, runNow, runUnlessActive } from "./demo-deployments.js";
import type { StatusQuery } from "./demo-status.js";
import { formatFinalNumbers, formatStatus, readFinalNumbers, readStatus } from "./demo-status.js";
import { DemoWorker } from "./demo-worker.js";
import { referenceApp } from "./reference-app.js";

/** Options of `weir demo`, as commander hands them over. */
interface DemoOptions {
  data?: string;
  threshold: string;
  rate: string;
  port?: string;
  dataDir: string;
  db?: string;
  pool?: string;
  textColumn?: string;
  labelColumn?: string;
  pipelineTopic: string;
  metricsTopic: string;
  allowReplacement?: boolean;
  verbose?: boolean;
}

/** How long the runs get to end once cancelled: the worker's grace period (SIGTERM → SIGKILL) and some. */
const STOP_RUNS_MS = 15_000;
/** How long the worker gets to exit once its runs are gone. */
const STOP_WORKER_MS = 15_000;

/** Whether a Weir server answers there (its health report is `{ "status": "ok", … }`). */
async function answers(apiUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${apiUrl}/api/health`, { signal: AbortSignal.timeout(1500) });
    const body = (await response.json()) as { status?: unknown };
    return response.ok && body.status === "ok";
  } catch {
    return false;
  }
}

/**
 * The API URL: 127.0.0.1 on `--port` when given (the demo's own server, whatever WEIR_API_URL
 * says), else WEIR_API_URL, else 127.0.0.1:4200.
 */
function apiUrlOf(options: DemoOptions): string {
  if (options.port !== undefined) {
    const port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`--port must be a port number; got "${options.port}".`);
    return `http://127.0.0.1:${port}`;
  }
  const fromEnv = process.env.WEIR_API_URL;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv.replace(/\/+$/, "");
  return "http://127.0.0.1:4200";
}

/**
 * The event backend: NATS when WEIR_STREAM_URL names it; otherwise the demo's server, so that with
 * `--port` no component talks to a Weir server that WEIR_STREAM_URL may name elsewhere.
 */
function streamUrlOf(options: DemoOptions, apiUrl: string): string {
  const fromEnv = process.env.WEIR_STREAM_URL;
  if (fromEnv === undefined || fromEnv === "") return apiUrl;
  return options.port !== undefined && !/^(nats|tls):\/\//.test(fromEnv) ? apiUrl : fromEnv;
}

/** How often the demo's subscriber publishes its model. */
const DEMO_PUBLISH_EVERY = 100;

/** The curl command that asks the served model for a prediction (with the API key when one is set). */
function predictCommand(apiUrl: string): string {
  const key = process.env.WEIR_API_KEY ? ` -H "authorization: Bearer $WEIR_API_KEY"` : "";
  return (
    `curl -d '{"input":"The food was great"}' -H 'content-type: application/json'${key} ` +
    `${apiUrl}/api/models/yelp-sentiment/predict`
  );
}

/** Starts the Weir server at `apiUrl` unless one answers there; says which. */
async function startOrUseServer(
  apiUrl: string,
  options: DemoOptions,
): Promise<{ apiUrl: string; close: (() => Promise<void>) | undefined }> {
  if (await answers(apiUrl)) {
    console.log(`Using the Weir server at ${apiUrl}`);
    return { apiUrl, close: undefined };
  }
  const { startServer } = await import("@weir/server");
  const url = new URL(apiUrl);
  const server = await startServer({
    host: url.hostname,
    port: url.port === "" ? 4200 : Number(url.port),
    dataDir: options.dataDir,
    ...(options.db === undefined ? {} : { db: options.db }),
  });
  console.log(`Started the Weir server at ${server.url} (data in ${resolve(options.dataDir)})`);
  return { apiUrl: server.url, close: () => server.close() };
}

/**
 * Keeps one status line up to date (a line every 2 s when not on a terminal), and prints a line for
 * each run that fails from now on; returns its stop.
 */
function showStatus(query: StatusQuery): () => void {
  const tty = process.stdout.isTTY === true;
  const since = new Date().toISOString();
  let lastLine = "";
  let lastPrinted = 0;
  const reported = new Set<string>();
  const refresh = async (): Promise<void> => {
    const snapshot = await readStatus(query);
    for (const run of snapshot.failed) {
      if (reported.has(run.id) || (run.endTime !== null && run.endTime < since)) continue;
      reported.add(run.id);
      const again = run.component === "publisher" ? "" : " (restart policy: always)";
      // The first sentence: the rest is the end of the process's output, in the worker's log.
      const why = (run.stateMessage ?? "").split(/(?<=\.)\s/)[0] ?? "";
      console.log(
        `${tty ? "\r\u001b[K" : ""}The ${run.component} run ${run.id} ended ${run.state}${again}: ${why}`,
      );
      lastLine = "";
    }
    const line = formatStatus(snapshot);
    if (tty) process.stdout.write(`\r${line}\u001b[K`);
    else if (line !== lastLine && Date.now() - lastPrinted >= 2000) {
      console.log(line);
      lastPrinted = Date.now();
    } else return;
    lastLine = line;
  };
  let busy = false; // a slow server must not make polls pile up
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void refresh().finally(() => (busy = false));
  }, 1000);
  return () => {
    clearInterval(timer);
    if (tty) process.stdout.write("\n");
  };
}

/** Resolves on Ctrl-C (SIGINT) or SIGTERM with `undefined`, or with the reason the worker stopped on its own. */
async function untilStopped(worker: DemoWorker): Promise<string | undefined> {
  let onSignal = (): void => undefined;
  const signalled = new Promise<undefined>((resolveSignal) => (onSignal = () => resolveSignal(undefined)));
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await Promise.race([signalled, worker.failed]);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

type ReferenceApp = Awaited<ReturnType<typeof referenceApp>>;

/**
 * The application's deployments for these options; throws (before anything starts) on a bad option
 * or a reviews file that would fail the publisher on every attempt.
 */
async function applicationFor(
  app: ReferenceApp,
  options: DemoOptions,
): Promise<{ specs: ReturnType<ReferenceApp["applicationDeployments"]>; data: string; pool: string }> {
  const rate = options.rate === "0" ? undefined : app.positiveNumber("--rate", options.rate);
  const threshold = app.threshold(options.threshold) ?? 0.6;
  const data = resolve(options.data ?? app.SAMPLE_DATA);
  await app.checkReviewsFile(data, {
    ...(options.textColumn === undefined ? {} : { textColumn: options.textColumn }),
    ...(options.labelColumn === undefined ? {} : { labelColumn: options.labelColumn }),
  });
  const pool = options.pool ?? app.APPLICATION_POOL;
  const specs = app.applicationDeployments({
    data,
    rate,
    textColumn: options.textColumn,
    labelColumn: options.labelColumn,
    allowReplacement: options.allowReplacement,
    threshold,
    pipelineTopic: options.pipelineTopic,
    metricsTopic: options.metricsTopic,
    publishEvery: DEMO_PUBLISH_EVERY,
    workPool: pool,
  });
  return { specs, data, pool };
}

/** Deploys the application, starts the worker and the runs. */
async function startApplication(
  application: Awaited<ReturnType<typeof applicationFor>>,
  options: DemoOptions,
  api: WeirApi,
  streamUrl: string,
): Promise<{ deployed: DeployedApp; worker: DemoWorker; logPath: string }> {
  const { specs, data, pool } = application;
  const deployed = await deployApplication(api, specs);
  const named = (c: Component): string => `${deployed[c].name} v${deployed[c].version}`;
  console.log(
    `Deployed to pool "${pool}": ${named("subscriber")} and ${named("monitor")} (restart: always), ` +
      `${named("publisher")} (on demand)`,
  );

  const logDir = resolve(options.dataDir, "demo-logs");
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, "worker.log");
  const worker = new DemoWorker({
    pool,
    limit: 4,
    name: `weir-demo-${hostname()}`,
    home: resolve(options.dataDir, "client"),
    logPath,
    verbose: options.verbose === true,
    env: { ...process.env, WEIR_API_URL: api.baseUrl, WEIR_STREAM_URL: streamUrl },
  });
  await runUnlessActive(api, deployed.subscriber);
  await runUnlessActive(api, deployed.monitor);
  await runNow(api, deployed.publisher);
  console.log(`Started a worker (pid ${worker.pid ?? "?"}); the publisher streams ${basename(data)}`);
  return { deployed, worker, logPath };
}

async function runDemo(options: DemoOptions): Promise<void> {
  const app = await referenceApp();
  const application = await applicationFor(app, options);
  const { connect } = await import("@weir/stream");
  const server = await startOrUseServer(apiUrlOf(options), options);
  const apiUrl = server.apiUrl;
  const fromEnv = process.env.WEIR_API_URL?.replace(/\/+$/, "");
  if (options.port !== undefined && fromEnv !== undefined && fromEnv !== "" && fromEnv !== apiUrl)
    console.log(`(--port ${options.port}: the demo uses this server, not WEIR_API_URL=${fromEnv})`);
  const streamUrl = streamUrlOf(options, apiUrl);
  let started: Awaited<ReturnType<typeof startApplication>>;
  try {
    const stream = await connect({ url: streamUrl });
    try {
      await stream.ensureTopic(options.pipelineTopic);
      await stream.ensureTopic(options.metricsTopic, app.METRICS_TOPIC_OPTIONS);
    } finally {
      await stream.close();
    }
    started = await startApplication(application, options, new WeirApi(apiUrl), streamUrl);
  } catch (error) {
    await server.close?.();
    throw error;
  }
  const { deployed, worker, logPath } = started;
  console.log(`Dashboard: ${apiUrl}/`);
  console.log(`  deployments: ${apiUrl}/#/deployments · workers: ${apiUrl}/#/workers`);
  console.log(`Ask the model (a new version every ${DEMO_PUBLISH_EVERY} reviews): ${predictCommand(apiUrl)}`);
  console.log(
    `Worker log (run pids, the runs' output): ${logPath}${options.verbose ? " (and printed here)" : ""} · press Ctrl-C to stop`,
  );

  const query: StatusQuery = {
    apiUrl,
    deployments: deployed,
    pipelineTopic: options.pipelineTopic,
    metricsTopic: options.metricsTopic,
  };
  const hideStatus = showStatus(query);
  const failure = await untilStopped(worker);
  hideStatus();
  if (failure !== undefined) {
    console.error(`The worker stopped: ${failure}`);
    console.error(`(its whole log: ${logPath})`);
    process.exitCode = 1;
  }
  await stopApplication(new WeirApi(apiUrl), deployed, worker, failure === undefined);
  const snapshot = await readStatus(query);
  console.log(formatStatus(snapshot));
  const numbers = await readFinalNumbers({
    apiUrl,
    streamUrl,
    metricsTopic: options.metricsTopic,
    monitorRunId: snapshot.runs.monitor?.id,
  });
  console.log(formatFinalNumbers(numbers));
  await stopServer(server, options, apiUrl);
}

/** Cancels the runs (the worker stops their processes; they end Cancelled, not restarted), then stops the worker. */
async function stopApplication(
  api: WeirApi,
  deployed: DeployedApp,
  worker: DemoWorker,
  workerAlive: boolean,
): Promise<void> {
  console.log(`Stopping the runs (they end Cancelled)${workerAlive ? " and the worker" : ""}…`);
  // Without a worker nobody stops their processes: the server ends them once their heartbeats stop.
  const waitMs = workerAlive ? STOP_RUNS_MS : 0;
  const left = await cancelActiveRuns(api, Object.values(deployed), waitMs).catch((error: unknown) => {
    console.error(`Could not cancel the runs: ${error instanceof Error ? error.message : String(error)}`);
    return [];
  });
  if (left.length > 0 && workerAlive)
    console.error(
      `${left.length} run(s) had not ended after ${STOP_RUNS_MS / 1000} s; the worker stops them.`,
    );
  await worker.stop(STOP_WORKER_MS);
}

async function stopServer(
  server: { close: (() => Promise<void>) | undefined },
  options: DemoOptions,
  apiUrl: string,
): Promise<void> {
  if (server.close === undefined) {
    console.log(`The Weir server at ${apiUrl} keeps running: browse these runs at ${apiUrl}/`);
    return;
  }
  console.log("Stopping the Weir server…");
  await server.close();
  const port = new URL(apiUrl).port;
  const db = options.db === undefined ? "" : ` --db ${options.db}`;
  console.log(
    `Browse these runs again: weir server start --data-dir ${resolve(options.dataDir)}${db}` +
      `${port === "4200" ? "" : ` --port ${port}`}, then open ${apiUrl}/`,
  );
}

/**
 * `weir demo`: the Yelp sentiment application as deployments on one machine. Starts the Weir
 * server on its embedded defaults (on `--port` when given, whatever `WEIR_API_URL` says) unless one
 * answers there, creates the topics, deploys the model subscriber and the monitor (restart policy
 * `always`) and the publisher (on demand) — again and again without new versions while the options
 * stay the same — starts a worker (`weir worker start`) for their pool, starts the subscribers
 * unless they already run, presses "Run" on the publisher, and shows a live status line. Ctrl-C
 * cancels the runs (they end Cancelled), stops the worker and then the server; the demo ends with
 * the model's final precision and recall, the monitor's warning counts, and how to browse the runs
 * again. If the worker stops on its own, its reason is printed and the exit code is 1.
 *
 * @example
 * weir demo --rate 50 --threshold 0.7
 */
export function demoCommand(): Command {
  return new Command("demo")
    .description(
      "run the Yelp sentiment application as deployments: server, worker, model subscriber, monitor, publisher",
    )
    .option(
      "--data <file>",
      "labelled reviews, CSV with a header or UCI sentence<TAB>label (default: the bundled sample)",
    )
    .option("--threshold <value>", "warn when precision or recall is below this", "0.6")
    .option("--rate <events/s>", "publisher rate; 0 publishes as fast as acks allow", "25")
    .option(
      "--port <port>",
      "port of the demo's server on 127.0.0.1, used even when WEIR_API_URL is set (default: WEIR_API_URL, else 4200)",
    )
    .option("--data-dir <dir>", "data folder of the server the demo starts, and of the worker's log", ".weir")
    .option(
      "--db <url>",
      "database of the server the demo starts: sqlite:<path> or postgres://… (default: SQLite)",
    )
    .option("--pool <name>", "work pool of the deployments and the worker (default: yelp-sentiment)")
    .option("--text-column <name>", "CSV column holding the text")
    .option("--label-column <name>", "CSV column holding the label")
    .option("--pipeline-topic <name>", "topic of the reviews", "river_pipeline")
    .option("--metrics-topic <name>", "topic of the metrics", "river_metrics")
    .option(
      "--allow-replacement",
      "publish rows holding bytes that are not UTF-8, with U+FFFD in their place (default: set them aside)",
    )
    .option("--verbose", "print the worker's output (and its runs') here too")
    .action(runDemo);
}

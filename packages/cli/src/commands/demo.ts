import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Command } from "commander";

import type { ComponentStatus } from "./demo-status.js";
import { formatStatus, readStatus } from "./demo-status.js";

/** Options of `weir demo`, as commander hands them over. */
interface DemoOptions {
  data?: string;
  threshold: string;
  rate: string;
  port?: string;
  dataDir: string;
  textColumn?: string;
  labelColumn?: string;
  pipelineTopic: string;
  metricsTopic: string;
  verbose?: boolean;
}

type ComponentName = "publisher" | "subscriber" | "monitor";

const BIN = fileURLToPath(new URL("../bin.js", import.meta.url));
const STOP_GRACE_MS = 15_000;

async function answers(apiUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${apiUrl}/api/health`, { signal: AbortSignal.timeout(1500) });
    return response.ok;
  } catch {
    return false;
  }
}

/** The API URL: WEIR_API_URL, else 127.0.0.1 on --port (4200). */
function apiUrlOf(options: DemoOptions): string {
  const fromEnv = process.env.WEIR_API_URL;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv.replace(/\/+$/, "");
  const port = options.port === undefined ? 4200 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number; got "${options.port}".`);
  return `http://127.0.0.1:${port}`;
}

async function runDemo(options: DemoOptions): Promise<void> {
  const { METRICS_TOPIC_OPTIONS, SAMPLE_DATA, positiveNumber, threshold } =
    await import("@weir/example-yelp-sentiment");
  const { connect } = await import("@weir/stream");
  const rate = options.rate === "0" ? undefined : positiveNumber("--rate", options.rate);
  const limit = threshold(options.threshold) ?? 0.6;
  const data = resolve(options.data ?? SAMPLE_DATA);
  let apiUrl = apiUrlOf(options);
  let closeServer: (() => Promise<void>) | undefined;
  if (await answers(apiUrl)) {
    console.log(`Using the Weir server at ${apiUrl}`);
  } else {
    const { startServer } = await import("@weir/server");
    const url = new URL(apiUrl);
    const server = await startServer({
      host: url.hostname,
      port: url.port === "" ? 4200 : Number(url.port),
      dataDir: options.dataDir,
    });
    apiUrl = server.url;
    closeServer = () => server.close();
    console.log(`Started the Weir server at ${apiUrl} (data in ${resolve(options.dataDir)})`);
  }
  const stream = await connect({ url: process.env.WEIR_STREAM_URL || apiUrl });
  try {
    await stream.ensureTopic(options.pipelineTopic);
    await stream.ensureTopic(options.metricsTopic, METRICS_TOPIC_OPTIONS);
  } finally {
    await stream.close();
  }

  const since = new Date(Date.now() - 1000);
  const logDir = resolve(options.dataDir, "demo-logs");
  mkdirSync(logDir, { recursive: true });
  const env = { ...process.env, WEIR_API_URL: apiUrl };
  const children = new Map<ComponentName, ChildProcess>();
  const status: Record<ComponentName, ComponentStatus> = { publisher: {}, subscriber: {}, monitor: {} };
  const start = (name: ComponentName, args: string[]): void => {
    // Own process group: a terminal Ctrl-C reaches only the demo, which stops each child once.
    const child = spawn(process.execPath, [BIN, "example", "yelp", ...args], {
      env,
      detached: true,
      stdio: options.verbose ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
    });
    if (!options.verbose) {
      const log = createWriteStream(join(logDir, `${name}.log`), { flags: "a" });
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
    }
    child.on("exit", (code, signal) => {
      status[name].exit =
        signal !== null ? `stopped (${signal})` : code === 0 ? "done" : `exited with code ${code}`;
      children.delete(name);
    });
    children.set(name, child);
  };
  // The children have their own process group: if the demo dies without stopping them, end them.
  const orphans = (): void => {
    for (const child of children.values()) child.kill("SIGTERM");
  };
  process.once("exit", orphans);
  start("monitor", ["metrics", "--threshold", String(limit), "--topic", options.metricsTopic]);
  start("subscriber", [
    "subscribe",
    "--input-topic",
    options.pipelineTopic,
    "--metrics-topic",
    options.metricsTopic,
  ]);
  start("publisher", [
    "publish",
    "--data",
    data,
    "--topic",
    options.pipelineTopic,
    ...(rate === undefined ? [] : ["--rate", String(rate)]),
    ...(options.textColumn === undefined ? [] : ["--text-column", options.textColumn]),
    ...(options.labelColumn === undefined ? [] : ["--label-column", options.labelColumn]),
  ]);
  console.log(`Dashboard: ${apiUrl}/`);
  console.log(`Component logs: ${options.verbose ? "printed here" : logDir} · press Ctrl-C to stop`);

  const tty = process.stdout.isTTY === true;
  let lastLine = "";
  let lastPrinted = 0;
  const refresh = async (final = false): Promise<void> => {
    const line = formatStatus(
      await readStatus({
        apiUrl,
        since,
        pipelineTopic: options.pipelineTopic,
        metricsTopic: options.metricsTopic,
      }),
      status,
    );
    if (tty) process.stdout.write(`\r${line}\u001b[K`);
    else if (final || (line !== lastLine && Date.now() - lastPrinted >= 2000)) {
      console.log(line);
      lastPrinted = Date.now();
    } else return;
    lastLine = line;
  };
  const timer = setInterval(() => void refresh(), 1000);

  await new Promise<void>((resolveStop) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolveStop();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  clearInterval(timer);
  if (tty) process.stdout.write("\n");
  console.log("Stopping the components (their runs end Cancelled)…");
  await stopChildren(children);
  process.off("exit", orphans);
  await refresh(true).catch(() => undefined);
  if (tty) process.stdout.write("\n");
  if (closeServer !== undefined) {
    console.log("Stopping the Weir server…");
    await closeServer();
  }
}

async function stopChildren(children: Map<ComponentName, ChildProcess>): Promise<void> {
  const running = [...children.values()];
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const kill = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
          child.once("exit", () => {
            clearTimeout(kill);
            done();
          });
          child.kill("SIGINT");
        }),
    ),
  );
}

/**
 * `weir demo`: the whole Yelp sentiment application on one machine. Starts the Weir server on its
 * embedded defaults unless one answers at `WEIR_API_URL`, creates the topics, starts the monitor,
 * the model subscriber and the publisher as three processes, and prints the dashboard URL and a
 * live status line. Ctrl-C stops the components gracefully (their runs end Cancelled), then the server.
 *
 * @example
 * weir demo --rate 50 --threshold 0.7
 */
export function demoCommand(): Command {
  return new Command("demo")
    .description(
      "run the Yelp sentiment application: server, metrics monitor, model subscriber and publisher",
    )
    .option(
      "--data <file>",
      "labelled reviews, CSV with a header or UCI sentence<TAB>label (default: the bundled sample)",
    )
    .option("--threshold <value>", "warn when precision or recall is below this", "0.6")
    .option("--rate <events/s>", "publisher rate; 0 publishes as fast as acks allow", "25")
    .option("--port <port>", "port of the server the demo starts when none answers (default 4200)")
    .option(
      "--data-dir <dir>",
      "data folder of the server the demo starts, and of the component logs",
      ".weir",
    )
    .option("--text-column <name>", "CSV column holding the text")
    .option("--label-column <name>", "CSV column holding the label")
    .option("--pipeline-topic <name>", "topic of the reviews", "river_pipeline")
    .option("--metrics-topic <name>", "topic of the metrics", "river_metrics")
    .option("--verbose", "print the components' logs here too (they are always on the dashboard)")
    .action(runDemo);
}

import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Command } from "commander";

import type { ComponentStatus, StatusQuery } from "./demo-status.js";
import { referenceApp } from "./reference-app.js";
import {
  formatFinalNumbers,
  formatStatus,
  lastErrorLine,
  readFinalNumbers,
  readStatus,
} from "./demo-status.js";

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
  allowReplacement?: boolean;
  verbose?: boolean;
}

type ComponentName = "publisher" | "subscriber" | "monitor";

const BIN = fileURLToPath(new URL("../bin.js", import.meta.url));
const STOP_GRACE_MS = 15_000;

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

/** The last bytes of a component's output, kept to tell why it failed. */
const TAIL_BYTES = 16_384;

/** Starts the Weir server at `apiUrl` unless one answers there; says which. */
async function startOrUseServer(
  apiUrl: string,
  dataDir: string,
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
    dataDir,
  });
  console.log(`Started the Weir server at ${server.url} (data in ${resolve(dataDir)})`);
  return { apiUrl: server.url, close: () => server.close() };
}

/**
 * The three component processes: their output goes to `<logDir>/<name>.log` (and to this terminal
 * with --verbose), and the end of it is kept, so that when one fails the demo can say why.
 */
class DemoComponents {
  readonly status: Record<ComponentName, ComponentStatus> = { publisher: {}, subscriber: {}, monitor: {} };
  /** Set when a component ended on its own other than by the publisher completing. */
  failure: { name: ComponentName; reason: string } | undefined;
  readonly #children = new Map<ComponentName, ChildProcess>();
  readonly #tails: Record<ComponentName, string> = { publisher: "", subscriber: "", monitor: "" };
  #stopping = false;
  #onFailure = (): void => undefined;
  /** Resolves when a component fails. */
  readonly failed = new Promise<void>((resolveFailed) => (this.#onFailure = resolveFailed));
  // The children have their own process group: if the demo dies without stopping them, end them.
  readonly #orphans = (): void => {
    for (const child of this.#children.values()) child.kill("SIGTERM");
  };

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
    private readonly verbose: boolean,
  ) {
    process.once("exit", this.#orphans);
  }

  start(name: ComponentName, args: readonly string[]): void {
    // Own process group: a terminal Ctrl-C reaches only the demo, which stops each child once.
    const child = spawn(process.execPath, [BIN, "example", "yelp", ...args], {
      env: this.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const log = createWriteStream(this.logPath(name), { flags: "a" });
    for (const [from, to] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ] as const) {
      from.on("data", (chunk: Buffer) => {
        log.write(chunk);
        if (this.verbose) to.write(chunk);
        this.#tails[name] = (this.#tails[name] + chunk.toString("utf8")).slice(-TAIL_BYTES);
      });
    }
    child.on("exit", (code, signal) => {
      this.status[name].exit =
        signal !== null ? `stopped (${signal})` : code === 0 ? "done" : `exited with code ${code}`;
      this.#children.delete(name);
    });
    // After "close" the whole output has been read, so the reason is in the tail.
    child.on("close", (code) => {
      log.end();
      if (this.#stopping || (name === "publisher" && code === 0)) return;
      this.failure ??= {
        name,
        reason: lastErrorLine(this.#tails[name]) ?? this.status[name].exit ?? "it stopped",
      };
      this.#onFailure();
    });
    this.#children.set(name, child);
  }

  logPath(name: ComponentName): string {
    return join(this.logDir, `${name}.log`);
  }

  /** Ctrl-C for each running component (their runs end Cancelled); SIGKILL after a grace period. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(
      [...this.#children.values()].map(
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
    process.off("exit", this.#orphans);
  }
}

/** The command lines of the monitor, the subscriber and the publisher, in the order they start. */
function componentArgs(
  options: DemoOptions,
  data: string,
  rate: number | undefined,
  limit: number,
): [ComponentName, string[]][] {
  return [
    ["monitor", ["metrics", "--threshold", String(limit), "--topic", options.metricsTopic]],
    [
      "subscriber",
      ["subscribe", "--input-topic", options.pipelineTopic, "--metrics-topic", options.metricsTopic],
    ],
    [
      "publisher",
      [
        "publish",
        "--data",
        data,
        "--topic",
        options.pipelineTopic,
        ...(rate === undefined ? [] : ["--rate", String(rate)]),
        ...(options.textColumn === undefined ? [] : ["--text-column", options.textColumn]),
        ...(options.labelColumn === undefined ? [] : ["--label-column", options.labelColumn]),
        ...(options.allowReplacement === true ? ["--allow-replacement"] : []),
      ],
    ],
  ];
}

/** Keeps one status line up to date (a line every 2 s when not on a terminal); returns its stop. */
function showStatus(query: StatusQuery, components: DemoComponents): () => void {
  const tty = process.stdout.isTTY === true;
  let lastLine = "";
  let lastPrinted = 0;
  const refresh = async (): Promise<void> => {
    const line = formatStatus(await readStatus(query), components.status);
    if (tty) process.stdout.write(`\r${line}\u001b[K`);
    else if (line !== lastLine && Date.now() - lastPrinted >= 2000) {
      console.log(line);
      lastPrinted = Date.now();
    } else return;
    lastLine = line;
  };
  const timer = setInterval(() => void refresh(), 1000);
  return () => {
    clearInterval(timer);
    if (tty) process.stdout.write("\n");
  };
}

/** Resolves on Ctrl-C (SIGINT), SIGTERM or a component's failure. */
async function untilStopped(components: DemoComponents): Promise<void> {
  let onSignal = (): void => undefined;
  const signalled = new Promise<void>((resolveSignal) => (onSignal = resolveSignal));
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await Promise.race([signalled, components.failed]);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** The last status line, and the model's final numbers and the monitor's warning counts. */
async function printClosing(
  query: StatusQuery,
  streamUrl: string,
  components: DemoComponents,
): Promise<void> {
  const snapshot = await readStatus(query);
  console.log(formatStatus(snapshot, components.status));
  const numbers = await readFinalNumbers({
    apiUrl: query.apiUrl,
    streamUrl,
    metricsTopic: query.metricsTopic,
    runIds: snapshot.runIds,
  });
  console.log(formatFinalNumbers(numbers));
}

async function runDemo(options: DemoOptions): Promise<void> {
  const { METRICS_TOPIC_OPTIONS, SAMPLE_DATA, positiveNumber, threshold } = await referenceApp();
  const { connect } = await import("@weir/stream");
  const rate = options.rate === "0" ? undefined : positiveNumber("--rate", options.rate);
  const limit = threshold(options.threshold) ?? 0.6;
  const data = resolve(options.data ?? SAMPLE_DATA);
  const server = await startOrUseServer(apiUrlOf(options), options.dataDir);
  const apiUrl = server.apiUrl;
  const fromEnv = process.env.WEIR_API_URL?.replace(/\/+$/, "");
  if (options.port !== undefined && fromEnv !== undefined && fromEnv !== "" && fromEnv !== apiUrl)
    console.log(`(--port ${options.port}: the components use this server, not WEIR_API_URL=${fromEnv})`);
  const streamUrl = streamUrlOf(options, apiUrl);
  const stream = await connect({ url: streamUrl });
  try {
    await stream.ensureTopic(options.pipelineTopic);
    await stream.ensureTopic(options.metricsTopic, METRICS_TOPIC_OPTIONS);
  } finally {
    await stream.close();
  }

  const query: StatusQuery = {
    apiUrl,
    since: new Date(Date.now() - 1000),
    pipelineTopic: options.pipelineTopic,
    metricsTopic: options.metricsTopic,
  };
  const logDir = resolve(options.dataDir, "demo-logs");
  mkdirSync(logDir, { recursive: true });
  const components = new DemoComponents(
    { ...process.env, WEIR_API_URL: apiUrl, WEIR_STREAM_URL: streamUrl },
    logDir,
    options.verbose === true,
  );
  for (const [name, args] of componentArgs(options, data, rate, limit)) components.start(name, args);
  console.log(`Dashboard: ${apiUrl}/`);
  console.log(
    `Component logs: ${logDir}${options.verbose ? " (and printed here)" : ""} · press Ctrl-C to stop`,
  );

  const hideStatus = showStatus(query, components);
  await untilStopped(components);
  hideStatus();
  const failure = components.failure;
  if (failure !== undefined) {
    console.error(`The ${failure.name} failed: ${failure.reason}`);
    console.error(`(its whole log: ${components.logPath(failure.name)})`);
    process.exitCode = 1;
  }
  console.log(`Stopping the ${failure === undefined ? "" : "other "}components (their runs end Cancelled)…`);
  await components.stop();
  await printClosing(query, streamUrl, components);
  if (server.close === undefined) {
    console.log(`The Weir server at ${apiUrl} keeps running: browse these runs at ${apiUrl}/`);
    return;
  }
  console.log("Stopping the Weir server…");
  await server.close();
  const port = new URL(apiUrl).port;
  console.log(
    `Browse these runs again: weir server start --data-dir ${resolve(options.dataDir)}` +
      `${port === "4200" ? "" : ` --port ${port}`}, then open ${apiUrl}/`,
  );
}

/**
 * `weir demo`: the whole Yelp sentiment application on one machine. Starts the Weir server on its
 * embedded defaults (on `--port` when given, whatever `WEIR_API_URL` says) unless one answers
 * there, creates the topics, starts the monitor, the model subscriber and the publisher as three
 * processes, and prints the dashboard URL and a live status line. Ctrl-C, or a component failing
 * (its reason is printed, the exit code is 1), stops the others gracefully (their runs end
 * Cancelled) and then the server; the demo ends with the model's final precision and recall, the
 * monitor's warning counts, and how to browse the runs again.
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
    .option(
      "--port <port>",
      "port of the demo's server on 127.0.0.1, used even when WEIR_API_URL is set (default: WEIR_API_URL, else 4200)",
    )
    .option(
      "--data-dir <dir>",
      "data folder of the server the demo starts, and of the component logs",
      ".weir",
    )
    .option("--text-column <name>", "CSV column holding the text")
    .option("--label-column <name>", "CSV column holding the label")
    .option("--pipeline-topic <name>", "topic of the reviews", "river_pipeline")
    .option("--metrics-topic <name>", "topic of the metrics", "river_metrics")
    .option(
      "--allow-replacement",
      "publish rows holding bytes that are not UTF-8, with U+FFFD in their place (default: set them aside)",
    )
    .option("--verbose", "print the components' logs here too (they are always on the dashboard)")
    .action(runDemo);
}

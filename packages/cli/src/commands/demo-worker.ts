import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { fileURLToPath } from "node:url";

import { lastErrorLine } from "./demo-status.js";

const BIN = fileURLToPath(new URL("../bin.js", import.meta.url));
/** The last bytes of the worker's output, kept to tell why it stopped. */
const TAIL_BYTES = 16_384;

/** Options of {@link DemoWorker}. */
export interface DemoWorkerOptions {
  readonly pool: string;
  /** Runs at a time: the three components, and one more "Run" of the publisher. */
  readonly limit: number;
  readonly name: string;
  /** Data folder of the runs' clients (their offline spool). */
  readonly home: string;
  /** Where its output goes (the runs' output too, each line prefixed with its deployment). */
  readonly logPath: string;
  /** Also print its output here. */
  readonly verbose: boolean;
  /** The environment (WEIR_API_URL, WEIR_STREAM_URL, WEIR_API_KEY). */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The demo's worker: `weir worker start` as its own process, as a user would run it, in its own
 * process group (a Ctrl-C in the terminal reaches only the demo, which stops the runs first, then
 * the worker). `failed` settles if it stops on its own, with the reason.
 */
export class DemoWorker {
  readonly failed: Promise<string>;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #tail = "";
  #stopping = false;
  // If the demo ends without stopping it, the worker must not outlive it.
  readonly #orphan = (): void => void this.#child.kill("SIGTERM");

  constructor(options: DemoWorkerOptions) {
    const args = [
      ...["worker", "start", "--pool", options.pool, "--limit", String(options.limit)],
      ...["--name", options.name, "--home", options.home],
      // Stops its runs and exits if the demo is killed (SIGKILL leaves no chance to stop it).
      "--exit-with-parent",
    ];
    this.#child = spawn(process.execPath, [BIN, ...args], {
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const log = createWriteStream(options.logPath, { flags: "a" });
    for (const [from, to] of [
      [this.#child.stdout, process.stdout],
      [this.#child.stderr, process.stderr],
    ] as const) {
      from?.on("data", (chunk: Buffer) => {
        log.write(chunk);
        if (options.verbose) to.write(chunk);
        this.#tail = (this.#tail + chunk.toString("utf8")).slice(-TAIL_BYTES);
      });
    }
    this.#exited = new Promise((resolve) => this.#child.once("exit", () => resolve()));
    this.failed = new Promise((resolve) => {
      // After "close" the whole output has been read, so the reason is in the tail.
      this.#child.once("close", (code, signal) => {
        log.end();
        if (this.#stopping) return;
        if (signal !== null) resolve(`it was stopped (${signal})`);
        else resolve(lastErrorLine(this.#tail) ?? `it exited with code ${code}`);
      });
    });
    process.once("exit", this.#orphan);
  }

  /** Its process id. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** SIGINT (it stops claiming and ends its runs Cancelled); SIGKILL if it is not gone within `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    process.off("exit", this.#orphan);
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const kill = setTimeout(() => this.#child.kill("SIGKILL"), graceMs);
    this.#child.kill("SIGINT");
    await this.#exited;
    clearTimeout(kill);
  }
}

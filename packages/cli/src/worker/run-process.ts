import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Why the worker stopped a child: a cancel request, the hard timeout, or its own shutdown. */
export type StopCause = "Cancelled" | "TimedOut" | "Shutdown";

/** How a child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the worker stopped it. */
  stopCause: StopCause | undefined;
  /** Whether it had to be killed (SIGKILL) after the grace period. */
  killed: boolean;
  /** The end of what it wrote on stderr (for the run's state message). */
  stderrTail: string;
}

/** What one child needs. */
export interface RunProcessOptions {
  runId: string;
  runName: string;
  /** `<module path>:<export>`, the module relative to `workingDirectory`. */
  entrypoint: string;
  workingDirectory: string;
  parameters: Record<string, unknown>;
  /** The hard timeout, from the start of the child. */
  timeoutSeconds: number | null;
  /** SIGTERM → SIGKILL delay. */
  graceMs: number;
  env: Record<string, string>;
  /** Each line the child prints, as it comes. */
  output: ChildOutput;
}

const RUNNER = fileURLToPath(new URL("./child-runner.js", import.meta.url));
const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;

/** Whether the module of `<module path>:<export>` is TypeScript (its child needs `--import tsx`). */
export function isTypeScript(entrypoint: string): boolean {
  return TYPESCRIPT.test(entrypoint.slice(0, entrypoint.lastIndexOf(":")));
}

/**
 * The `node` arguments that run `entrypoint` from `workingDirectory`: `--import tsx` for a TypeScript
 * module when tsx resolves from there. Throws (with what to do) when a TypeScript module cannot be run.
 * @example
 * childArgs("./src/flows.ts:monitor", "/srv/app"); // ["--import", "tsx", ".../child-runner.js", "./src/flows.ts", "monitor"]
 */
export function childArgs(entrypoint: string, workingDirectory: string, describe = false): string[] {
  const colon = entrypoint.lastIndexOf(":");
  const modulePath = entrypoint.slice(0, colon);
  const exportName = entrypoint.slice(colon + 1);
  if (colon <= 0 || exportName === "") {
    throw new Error(
      `entrypoint "${entrypoint}" is not "<module path>:<export>", e.g. "./src/flows.ts:monitor"`,
    );
  }
  const runner = [RUNNER, ...(describe ? ["--describe"] : []), modulePath, exportName];
  if (!TYPESCRIPT.test(modulePath)) return runner;
  try {
    createRequire(path.join(workingDirectory, "package.json")).resolve("tsx");
  } catch {
    throw new Error(
      `${modulePath} is TypeScript but tsx does not resolve from ${workingDirectory}: ` +
        "install it there (`npm install -D tsx`) or deploy the compiled .js module.",
    );
  }
  return ["--import", "tsx", ...runner];
}

/** Each line a child prints, as it comes. */
type ChildOutput = (line: string, stream: "stdout" | "stderr") => void;

/**
 * A child process started before its run is known (`child-runner.js --standby`): `node` up, `tsx`
 * registered when the working directory's modules are TypeScript, `@weir/flow` imported, waiting on its
 * IPC channel for {@link RunProcess} to hand it a run. Then it imports the run's module and calls the
 * flow, like a child started for the run would: one run per process, always. A worker keeps some
 * ready so that "Run now" does not wait for a process to start; they are killed with the worker (the
 * worker kills them on shutdown, and a child whose IPC channel closes kills itself).
 */
export class StandbyProcess {
  readonly child: ChildProcess;
  readonly workingDirectory: string;
  readonly typescript: boolean;
  /** Settles when the runner listens on its IPC channel (a message sent earlier could be lost). */
  readonly ready: Promise<void>;
  /** Settles when the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Where its lines go: nowhere useful until a run is handed to it. */
  output: ChildOutput;
  stderrTail = "";

  constructor(
    workingDirectory: string,
    typescript: boolean,
    env: Record<string, string>,
    output: ChildOutput,
  ) {
    this.workingDirectory = workingDirectory;
    this.typescript = typescript;
    this.output = output;
    const runner = [RUNNER, "--standby"];
    this.child = spawn(process.execPath, typescript ? ["--import", "tsx", ...runner] : runner, {
      cwd: workingDirectory,
      // Its own process group (a Ctrl-C of the worker's terminal is the worker's to handle), and an IPC
      // channel whose end tells the child that the worker died: it then kills itself (no orphan runs).
      detached: true,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: { ...process.env, ...env },
    });
    this.#lines(this.child.stdout, "stdout");
    this.#lines(this.child.stderr, "stderr");
    this.ready = new Promise((resolve) => this.child.once("message", () => resolve()));
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => resolve({ code, signal }));
      this.child.once("error", (error) => {
        this.stderrTail += `\n${error.message}`;
        resolve({ code: null, signal: null });
      });
    });
  }

  /** Whether it can take a run of `entrypoint` in `workingDirectory` (same directory and loader, still alive). */
  fits(entrypoint: string, workingDirectory: string): boolean {
    return (
      this.alive && this.workingDirectory === workingDirectory && this.typescript === isTypeScript(entrypoint)
    );
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.connected;
  }

  /** SIGKILL (a standby that is not needed any more). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }

  #lines(stream: NodeJS.ReadableStream | null, name: "stdout" | "stderr"): void {
    if (stream === null) return;
    let buffer = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      if (name === "stderr") this.stderrTail = (this.stderrTail + chunk).slice(-2000);
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) this.output(line, name);
    });
    stream.on("end", () => {
      if (buffer !== "") this.output(buffer, name);
    });
  }
}

/** The environment every child of a worker gets (API URL and key, data folder, the flow's shutdown grace). */
export function standbyEnv(env: Record<string, string>, graceMs: number): Record<string, string> {
  // The flow's own shutdown grace ends before the worker's SIGKILL, so it records its end itself.
  return {
    ...env,
    WEIR_SHUTDOWN_GRACE_MS: String(graceMs > 2000 ? graceMs - 1000 : Math.floor(graceMs / 2)),
  };
}

/**
 * One run's child process: a {@link StandbyProcess} (a warm one, or one started now) handed the run
 * (`WEIR_RUN_ID`, `WEIR_PARAMETERS`, `WEIR_RUN_DEADLINE`… and the entrypoint) over IPC; stopped with
 * SIGTERM and, after the grace period, SIGKILL (on a cancel, the hard timeout or the worker's
 * shutdown). `exited` settles when the process is gone.
 */
export class RunProcess {
  readonly pid: number | undefined;
  readonly exited: Promise<ChildExit>;
  readonly #child: ChildProcess;
  readonly #graceMs: number;
  #stopCause: StopCause | undefined;
  #killed = false;
  #killTimer: NodeJS.Timeout | undefined;
  #timeoutTimer: NodeJS.Timeout | undefined;

  /** Throws (with what to do) when the entrypoint cannot be run; `standby` must {@link StandbyProcess.fits} it. */
  constructor(options: RunProcessOptions, standby?: StandbyProcess) {
    const { workingDirectory, timeoutSeconds, graceMs, entrypoint } = options;
    this.#graceMs = graceMs;
    const args = childArgs(entrypoint, workingDirectory);
    const process_ =
      standby !== undefined && standby.fits(entrypoint, workingDirectory)
        ? standby
        : new StandbyProcess(
            workingDirectory,
            args[0] === "--import",
            standbyEnv(options.env, graceMs),
            () => undefined,
          );
    process_.output = options.output;
    this.#child = process_.child;
    this.pid = this.#child.pid;
    const deadline = timeoutSeconds === null ? undefined : Date.now() + timeoutSeconds * 1000;
    const [modulePath, exportName] = args.slice(-2);
    const env: Record<string, string> = {
      WEIR_RUN_ID: options.runId,
      WEIR_RUN_NAME: options.runName,
      WEIR_PARAMETERS: JSON.stringify(options.parameters),
      ...(deadline === undefined ? {} : { WEIR_RUN_DEADLINE: new Date(deadline).toISOString() }),
    };
    void process_.ready.then(() =>
      this.#child.send({ weir: "run", modulePath, exportName, env }, (error) => {
        // The process died before it got the run: it exits (or has), and the run is recorded Crashed.
        if (error !== null) this.kill();
      }),
    );
    if (deadline !== undefined) {
      this.#timeoutTimer = setTimeout(() => this.stop("TimedOut"), deadline - Date.now());
    }
    this.exited = process_.exited.then(({ code, signal }) => {
      clearTimeout(this.#killTimer);
      clearTimeout(this.#timeoutTimer);
      return {
        code,
        signal,
        stopCause: this.#stopCause,
        killed: this.#killed,
        stderrTail: process_.stderrTail,
      };
    });
  }

  /** Whether the worker is stopping it. */
  get stopping(): boolean {
    return this.#stopCause !== undefined;
  }

  /** SIGTERM now (its flow aborts `ctx.signal`), SIGKILL after the grace period. Idempotent. */
  stop(cause: StopCause): void {
    if (this.#stopCause !== undefined || this.#child.exitCode !== null || this.#child.signalCode !== null)
      return;
    this.#stopCause = cause;
    clearTimeout(this.#timeoutTimer);
    this.#child.kill("SIGTERM");
    this.#killTimer = setTimeout(() => this.kill(), this.#graceMs);
  }

  /** SIGKILL now. */
  kill(): void {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#killed = true;
    this.#stopCause ??= "Shutdown";
    this.#child.kill("SIGKILL");
  }
}

import { randomUUID } from "node:crypto";
import type { ClaimAnswer, ClaimedRun, StateType, WorkerHeartbeatAnswer } from "@weir/protocol";
import { exponentialBackoff, sleep } from "@weir/protocol/retry";

import type { WeirApi } from "../api.js";
import { WeirApiFailure } from "../api.js";
import type { ChildExit } from "./run-process.js";
import { isTypeScript, RunProcess, StandbyProcess, standbyEnv } from "./run-process.js";

/** Options of a {@link Worker}; every duration in ms. */
export interface WorkerOptions {
  api: WeirApi;
  pool: string;
  /** Runs at a time. */
  limit: number;
  /** SIGTERM → SIGKILL delay of a stopped child; also how long a shutdown waits for runs to finish. */
  graceMs: number;
  heartbeatMs: number;
  /** How long one claim waits on the server for work. */
  claimWaitMs: number;
  name: string;
  /**
   * Child processes kept started ahead of runs (at most one per free slot), for the working directory
   * of the last run: a run then skips starting `node` and importing `@weir/flow`. 0: none.
   */
  warm: number;
  /** Environment added to every child (WEIR_API_URL, WEIR_API_KEY, WEIR_HOME). */
  childEnv: Record<string, string>;
  log: (line: string) => void;
}

interface Child {
  readonly claimed: ClaimedRun;
  readonly process: RunProcess;
  /** Settles once the child is gone and the run's end is recorded. */
  readonly done: Promise<void>;
}

const backoff = exponentialBackoff({ initialDelayMs: 500, maxDelayMs: 10_000 });
/** While every slot is busy no claim is waiting on the server, so heartbeats ask for cancels this often. */
const BUSY_HEARTBEAT_MS = 1000;
/** How long after a run started (or ended) the worker starts warm children again. */
const REFILL_DELAY_MS = 300;

/**
 * `weir worker start`: claims due runs of its pool from the server (a long poll the server answers as
 * soon as work or a cancel arrives), starts each in its own child process ({@link RunProcess}), stops
 * children on cancel requests and hard timeouts, records the end of runs whose process could not
 * (killed, crashed, unusable entrypoint), and heartbeats so that the server can mark its runs Crashed
 * (and restart them elsewhere) if it dies. `shutdown()` stops claiming, lets runs finish for the grace
 * period, then stops them.
 */
export class Worker {
  readonly id = randomUUID();
  readonly #options: WorkerOptions;
  readonly #children = new Map<string, Child>();
  /** Stops claiming. */
  readonly #stop = new AbortController();
  /** Stops the heartbeats: only once every child is gone (else the server would mark its runs Crashed). */
  readonly #stopBeating = new AbortController();
  /** Warm children (see {@link WorkerOptions.warm}), and what the next ones are started for. */
  #standbys: StandbyProcess[] = [];
  #warmFor: { workingDirectory: string; typescript: boolean } | undefined;
  #refillTimer: NodeJS.Timeout | undefined;
  #slotFreed: () => void = () => undefined;
  #failures = 0;
  #shuttingDown = false;

  constructor(options: WorkerOptions) {
    this.#options = options;
  }

  /** Runs until {@link Worker.shutdown}; throws if the server refuses the worker (e.g. a bad API key). */
  async run(): Promise<void> {
    await this.#heartbeat(); // registers the worker before its first claim
    const beating = this.#heartbeatLoop();
    await this.#claimLoop();
    await beating; // until shutdown() is over
  }

  /**
   * Stops claiming; runs get `graceMs` to finish (unless `drain` is false), then are stopped (SIGTERM,
   * SIGKILL after grace). `signal` says why, in the log.
   */
  async shutdown(signal: string, drain = true): Promise<void> {
    if (this.#shuttingDown) {
      this.#options.log(`${signal} again: killing ${this.#children.size} run(s) now.`);
      for (const child of this.#children.values()) child.process.kill();
      this.#dropStandbys();
      return;
    }
    this.#shuttingDown = true;
    const { graceMs, log } = this.#options;
    log(
      drain
        ? `${signal}: no new runs; waiting up to ${graceMs / 1000} s for ${this.#children.size} run(s) to finish.`
        : `${signal}: no new runs; stopping ${this.#children.size} run(s) now.`,
    );
    this.#stop.abort();
    this.#slotFreed();
    this.#dropStandbys();
    const all = (): Promise<unknown> => Promise.allSettled([...this.#children.values()].map((c) => c.done));
    if (drain) await Promise.race([all(), sleep(graceMs)]);
    if (this.#children.size > 0)
      log(`stopping ${this.#children.size} run(s) (SIGTERM, SIGKILL after the grace period).`);
    for (const child of this.#children.values()) child.process.stop("Shutdown");
    await all();
    this.#stopBeating.abort();
    await this.#heartbeat().catch(() => undefined);
    log("worker stopped.");
  }

  async #claimLoop(): Promise<void> {
    const { api, pool, limit, claimWaitMs } = this.#options;
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      const free = limit - this.#children.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.#slotFreed = resolve));
        continue;
      }
      let answer: ClaimAnswer;
      try {
        answer = await api.send<ClaimAnswer>(
          "POST",
          `/work-pools/${encodeURIComponent(pool)}/claim`,
          { workerId: this.id, limit: free, waitMs: claimWaitMs },
          signal,
        );
      } catch (error) {
        if (signal.aborted) return;
        await this.#failed("claiming runs", error);
        continue;
      }
      this.#failures = 0;
      for (const claimed of answer.runs) this.#start(claimed);
      await this.#cancel(answer.cancel);
    }
  }

  /**
   * Heartbeats on a fixed cadence: the next one is due `heartbeatMs` after the previous one was sent,
   * not after its answer came, so a slow server does not stretch the intervals it counts.
   */
  async #heartbeatLoop(): Promise<void> {
    const { heartbeatMs } = this.#options;
    const signal = this.#stopBeating.signal;
    let next = Date.now();
    while (!signal.aborted) {
      const busy = this.#children.size >= this.#options.limit;
      next += busy ? Math.min(BUSY_HEARTBEAT_MS, heartbeatMs) : heartbeatMs;
      try {
        await sleep(Math.max(0, next - Date.now()), signal);
      } catch {
        return;
      }
      next = Math.max(next, Date.now() - heartbeatMs); // after a long stall, do not send a burst
      this.#heartbeat().catch((error: unknown) => this.#options.log(`heartbeat failed: ${message(error)}`));
    }
  }

  async #heartbeat(): Promise<void> {
    const { api, name, pool, limit, heartbeatMs } = this.#options;
    const body = {
      workerId: this.id,
      name,
      pool,
      limit,
      running: [...this.#children.keys()],
      heartbeatIntervalMs: heartbeatMs,
    };
    const answer = await api.send<WorkerHeartbeatAnswer>("POST", "/workers/heartbeat", body);
    await this.#cancel(answer.cancel);
  }

  #start(claimed: ClaimedRun): void {
    const { run, deployment } = claimed;
    const { graceMs, childEnv, log } = this.#options;
    const label = `${deployment.name}/${run.name}`;
    const workingDirectory = deployment.workingDirectory ?? process.cwd();
    const standby = this.#standbys.find((s) => s.fits(deployment.entrypoint, workingDirectory));
    if (standby !== undefined) this.#standbys.splice(this.#standbys.indexOf(standby), 1);
    let child: RunProcess;
    try {
      child = new RunProcess(
        {
          runId: run.id,
          runName: run.name,
          entrypoint: deployment.entrypoint,
          workingDirectory,
          parameters: run.parameters,
          timeoutSeconds: run.timeoutSeconds ?? deployment.timeoutSeconds,
          graceMs,
          env: childEnv,
          output: (line, stream) =>
            (stream === "stdout" ? process.stdout : process.stderr).write(`[${label}] ${line}\n`),
        },
        standby,
      );
    } catch (error) {
      standby?.kill();
      log(`cannot start run ${run.id} of ${deployment.name}: ${message(error)}`);
      void this.#record(run.id, "Failed", `The worker could not start it: ${message(error)}`);
      return;
    }
    log(
      `started run ${run.id} (${label}, v${deployment.version}) as pid ${child.pid ?? "?"}${standby === undefined ? "" : " (warm)"}`,
    );
    this.#warmFor = { workingDirectory, typescript: isTypeScript(deployment.entrypoint) };
    this.#refillSoon();
    const done = child.exited.then(async (exit) => {
      await this.#ended(claimed, exit);
      this.#children.delete(run.id);
      this.#slotFreed();
      this.#refillSoon();
    });
    this.#children.set(run.id, { claimed, process: child, done });
  }

  /**
   * Keeps `min(warm, free slots)` warm children for the last run's working directory. Deferred a little:
   * a child starting competes for the CPU with the run that was just handed the previous one.
   */
  #refillSoon(): void {
    if (this.#refillTimer !== undefined || this.#options.warm === 0) return;
    this.#refillTimer = setTimeout(() => {
      this.#refillTimer = undefined;
      const target = this.#warmFor;
      if (this.#stop.signal.aborted || target === undefined) return;
      const { warm, limit, graceMs, childEnv } = this.#options;
      const wanted = Math.min(warm, limit - this.#children.size);
      // Those started for another directory (or loader) make way for the last run's.
      this.#standbys = this.#standbys.filter((s) => {
        const keep =
          s.alive && s.workingDirectory === target.workingDirectory && s.typescript === target.typescript;
        if (!keep) s.kill();
        return keep;
      });
      while (this.#standbys.length > wanted) this.#standbys.shift()?.kill();
      while (this.#standbys.length < wanted) {
        const standby = new StandbyProcess(
          target.workingDirectory,
          target.typescript,
          standbyEnv(childEnv, graceMs),
          (line) => this.#options.log(`warm child: ${line}`),
        );
        this.#standbys.push(standby);
      }
    }, REFILL_DELAY_MS);
  }

  #dropStandbys(): void {
    clearTimeout(this.#refillTimer); // and #refillTimer stays set: no refill after a shutdown began
    for (const standby of this.#standbys.splice(0)) standby.kill();
  }

  /** Records the end of a run whose process is gone, unless the run recorded one itself (then a 409). */
  async #ended({ run }: ClaimedRun, exit: ChildExit): Promise<void> {
    const how = exit.signal === null ? `code ${exit.code}` : exit.signal;
    this.#options.log(
      `run ${run.id} process ended (${how}${exit.killed ? ", killed after the grace period" : ""})`,
    );
    const tail = exit.stderrTail.trim().split("\n").slice(-5).join("\n");
    const [type, text]: [StateType, string] =
      exit.stopCause === "TimedOut"
        ? [
            "TimedOut",
            `The run exceeded its timeout of ${run.timeoutSeconds ?? "?"} s; the worker stopped its process (${how}).`,
          ]
        : exit.stopCause === "Cancelled"
          ? ["Cancelled", `Cancelled on request; the worker stopped its process (${how}).`]
          : exit.stopCause === "Shutdown"
            ? [
                "Crashed",
                `The worker ${this.#options.name} shut down; it stopped the run's process (${how}). ` +
                  "Not a cancel: the deployment's restart policy applies.",
              ]
            : exit.code === 2
              ? ["Failed", `The worker could not run the entrypoint: ${tail}`]
              : [
                  "Crashed",
                  `The run's process exited (${how}) without recording the run's end. ${tail}`.trim(),
                ];
    await this.#record(run.id, type, text);
  }

  /** Cancel requests: stop the child; a run this worker has no process for is ended at once. */
  async #cancel(runIds: readonly string[]): Promise<void> {
    for (const id of runIds) {
      const child = this.#children.get(id);
      if (child !== undefined) {
        if (!child.process.stopping) this.#options.log(`cancel requested for run ${id}: SIGTERM`);
        child.process.stop("Cancelled");
      } else {
        await this.#record(id, "Cancelled", "Cancelled on request; the worker had no process for it.");
      }
    }
  }

  async #record(runId: string, type: StateType, text: string): Promise<void> {
    const body = {
      id: randomUUID(),
      type,
      message: text.slice(0, 10_000),
      timestamp: new Date().toISOString(),
    };
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        await this.#options.api.send("POST", `/runs/${runId}/state`, body);
        return;
      } catch (error) {
        // 409: the run already ended (its process recorded it); 404: it is gone. Nothing to do.
        if (error instanceof WeirApiFailure && error.status !== undefined && error.status < 500) return;
        if (attempt === 5) this.#options.log(`could not record run ${runId} ${type}: ${message(error)}`);
        else await sleep(backoff(attempt));
      }
    }
  }

  async #failed(what: string, error: unknown): Promise<void> {
    const status = error instanceof WeirApiFailure ? error.status : undefined;
    if (status !== undefined && status < 500 && status !== 408 && status !== 429) throw error;
    this.#failures += 1;
    const delay = backoff(this.#failures);
    if (this.#failures === 1 || this.#failures % 10 === 0)
      this.#options.log(`${what} failed (${message(error)}); retrying in ${Math.round(delay)} ms.`);
    await sleep(delay, this.#stop.signal).catch(() => undefined);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

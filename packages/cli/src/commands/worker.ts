import { hostname } from "node:os";
import path from "node:path";

import { Command, InvalidArgumentError } from "commander";

import { WeirApi } from "../api.js";
import { Worker } from "../worker/worker.js";

function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be an integer ${min}–${max}.`);
    return n;
  };
}

interface StartOptions {
  pool: string;
  limit: number;
  graceMs: number;
  heartbeatMs: number;
  name: string;
  home: string;
  warm?: number;
  exitWithParent?: boolean;
}

/**
 * Calls `gone` once the process that started this one is gone: its IPC channel closed (when it gave us
 * one) or we were re-parented (checked every 250 ms). Returns the function that stops watching.
 */
function watchParent(gone: () => void): () => void {
  const parent = process.ppid;
  // Our output may go to the parent (a pipe that closes with it): a failed write must not kill us
  // before the runs are stopped.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
  const check = setInterval(() => {
    if (process.ppid !== parent) gone();
  }, 250);
  check.unref();
  if (process.channel !== undefined) {
    process.channel.unref();
    process.once("disconnect", gone);
  }
  return () => {
    clearInterval(check);
    process.off("disconnect", gone);
  };
}

/**
 * `weir worker start`: runs the deployments of a work pool on this machine, each run in its own child
 * process, until SIGINT/SIGTERM (then it stops claiming, lets runs finish for the grace period and
 * stops the rest; a second signal kills them at once).
 *
 * @example
 * weir worker start --pool default --limit 4 --grace-ms 10000
 */
export function workerCommand(): Command {
  const worker = new Command("worker").description(
    "run deployments' flows on this machine (server at $WEIR_API_URL)",
  );
  worker
    .command("start")
    .description("claim and run the runs of a work pool until Ctrl-C")
    .option("--pool <pool>", "work pool to take runs from", "default")
    .option("--limit <n>", "runs at a time (1–1000)", integer(1, 1000), 4)
    .option(
      "--grace-ms <ms>",
      "SIGTERM → SIGKILL delay for cancelled or timed-out runs",
      integer(0, 3_600_000),
      10_000,
    )
    .option(
      "--heartbeat-ms <ms>",
      "heartbeat interval (offline, runs Crashed after 3 missed)",
      integer(100, 3_600_000),
      5000,
    )
    .option(
      "--warm <n>",
      "child processes kept started ahead of runs (default: min(limit, 4); 0: none)",
      integer(0, 1000),
    )
    .option(
      "--exit-with-parent",
      "stop at once (runs stopped, then the worker exits) when the process that started it is gone",
    )
    .option("--name <name>", "name shown in the UI", `${hostname()}-${process.pid}`)
    .option(
      "--home <dir>",
      "data folder of the runs' clients (offline spool)",
      process.env.WEIR_HOME ?? ".weir",
    )
    .action(async (opts: StartOptions) => {
      const api = new WeirApi();
      const log = (line: string): void => void process.stdout.write(`weir worker: ${line}\n`);
      const childEnv: Record<string, string> = {
        WEIR_API_URL: api.baseUrl,
        WEIR_HOME: path.resolve(opts.home),
      };
      if (api.apiKey !== undefined) childEnv.WEIR_API_KEY = api.apiKey;
      const running = new Worker({
        api,
        pool: opts.pool,
        limit: opts.limit,
        graceMs: opts.graceMs,
        heartbeatMs: opts.heartbeatMs,
        claimWaitMs: 30_000,
        warm: Math.min(opts.warm ?? 4, opts.limit),
        name: opts.name,
        childEnv,
        log,
      });
      let stopping: Promise<void> | undefined;
      const onSignal = (signal: NodeJS.Signals): void => {
        const shutdown = running.shutdown(signal);
        stopping ??= shutdown;
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      const unwatch =
        opts.exitWithParent === true
          ? watchParent(() => {
              stopping ??= running.shutdown("the parent process is gone", false);
            })
          : () => undefined;
      log(
        `${running.id} (${opts.name}) serving pool "${opts.pool}" with ${opts.limit} slot(s) from ${api.baseUrl}`,
      );
      try {
        await running.run();
      } catch (error) {
        await running.shutdown("a fatal error");
        throw error;
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        unwatch();
      }
      await stopping;
    });
  return worker;
}

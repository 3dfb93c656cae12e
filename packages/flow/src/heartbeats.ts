import type { Reporter } from "./reporter.js";

/**
 * Sends `heartbeats` for Running flow runs, one `unref()`ed timer per distinct interval, so that the server
 * can tell a live run from one whose process died. Heartbeats only start once the server acknowledged the
 * run's creation (a run still in the spool is unknown to it). When the server answers that a heartbeat
 * revived a run it had marked Crashed (its heartbeats were lost, e.g. to a network partition), the run's
 * `onRevived` is called. While a run is live its heartbeats go out at least every
 * `cancelCheckIntervalMs` (default 1 s, one small request for all the process's runs): their answer
 * names the runs with a cancel request (see `Reporter.onCancel`).
 */
export class Heartbeats {
  readonly #reporter: Reporter;
  readonly #groups = new Map<number, { timer: NodeJS.Timeout; runIds: Set<string> }>();
  readonly #onRevived = new Map<string, () => void>();

  readonly #cancelCheckMs: number;

  constructor(reporter: Reporter, cancelCheckIntervalMs: number) {
    this.#reporter = reporter;
    this.#cancelCheckMs = cancelCheckIntervalMs > 0 ? cancelCheckIntervalMs : Number.POSITIVE_INFINITY;
  }

  start(runId: string, intervalMs: number, onRevived?: () => void): void {
    const ms = Math.max(50, Math.round(Math.min(intervalMs, this.#cancelCheckMs)));
    let group = this.#groups.get(ms);
    if (group === undefined) {
      const runIds = new Set<string>();
      const timer = setInterval(() => {
        const beating = [...runIds].filter((id) => this.#reporter.isCreated(id));
        void this.#reporter.heartbeat(beating).then((revived) => {
          for (const id of revived) this.#onRevived.get(id)?.();
        });
      }, ms);
      timer.unref();
      group = { timer, runIds };
      this.#groups.set(ms, group);
    }
    group.runIds.add(runId);
    if (onRevived !== undefined) this.#onRevived.set(runId, onRevived);
    this.#reporter.watch(runId);
  }

  stop(runId: string): void {
    // Empty groups keep their (unref'ed, idle) timer: back-to-back runs then cost no timer churn.
    for (const group of this.#groups.values()) group.runIds.delete(runId);
    this.#onRevived.delete(runId);
    this.#reporter.forget(runId);
  }

  stopAll(): void {
    for (const group of this.#groups.values()) clearInterval(group.timer);
    this.#groups.clear();
    this.#onRevived.clear();
  }
}

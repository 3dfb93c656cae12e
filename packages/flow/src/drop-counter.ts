import type { OutboxRecord } from "./wire.js";

interface Drops {
  logs: number;
  metrics: number;
  /** The seq of the first dropped item: never stored, so the warning about the drops can use it. */
  seq: number;
  taskRunId: string | undefined;
}

/**
 * Counts the logs and metric points dropped per run when the spool is full, and turns the counts into one
 * WARNING log line per run once the server is back. Internal.
 */
export class DropCounter {
  readonly #drops = new Map<string, Drops>();
  readonly #spoolMaxBytes: number;

  constructor(spoolMaxBytes: number) {
    this.#spoolMaxBytes = spoolMaxBytes;
  }

  /** Counts one dropped record; returns true for the first drop since the last report. */
  count(record: OutboxRecord & { t: "log" | "metric" }): boolean {
    const runId = record.t === "log" ? record.log.runId : record.point.runId;
    let drops = this.#drops.get(runId);
    const first = this.#drops.size === 0;
    if (drops === undefined) {
      const seq = record.t === "log" ? record.log.seq : record.point.seq;
      drops = { logs: 0, metrics: 0, seq, taskRunId: record.t === "log" ? record.log.taskRunId : undefined };
      this.#drops.set(runId, drops);
    }
    if (record.t === "log") drops.logs += 1;
    else drops.metrics += 1;
    return first;
  }

  /** The warning log records (one per affected run), and forgets the counts. */
  report(): OutboxRecord[] {
    const records: OutboxRecord[] = [];
    for (const [runId, drops] of this.#drops) {
      records.push({
        t: "log",
        log: {
          runId,
          seq: drops.seq,
          level: "warning",
          message:
            `Weir dropped ${drops.logs} log lines and ${drops.metrics} metric points of this run while the ` +
            `server was unreachable: the spool reached its bound of ${this.#spoolMaxBytes} bytes.`,
          fields: { droppedLogs: drops.logs, droppedMetrics: drops.metrics },
          timestamp: new Date().toISOString(),
          ...(drops.taskRunId === undefined ? {} : { taskRunId: drops.taskRunId }),
        },
      });
    }
    this.#drops.clear();
    return records;
  }
}

import { groupThousands } from "./group-thousands.js";

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Rows in the file (for the percentage and ETA); `undefined` when unknown. */
  readonly total: number | undefined;
  /** Draw a bar that rewrites one terminal line. @default process.stdout.isTTY */
  readonly tty?: boolean;
  /** Where the bar is drawn. @default process.stdout.write */
  readonly write?: (text: string) => void;
  /** Where periodic lines go when not on a terminal (the run logger). */
  readonly log: (line: string) => void;
  /** Minimum time between two log lines (not on a terminal). @default 5000 */
  readonly logEveryMs?: number;
  /** Minimum time between two redraws of the bar. @default 100 */
  readonly drawEveryMs?: number;
}

/**
 * Reports a publisher's progress: a bar with rate and ETA when attached to a terminal, a log line
 * every few seconds otherwise.
 *
 * @example
 * const progress = new Progress({ total: 750, log: (line) => logger.info(line) });
 * progress.update(10, 0, 10); progress.finish(750, 0);
 */
export class Progress {
  private readonly total: number | undefined;
  private readonly tty: boolean;
  private readonly write: (text: string) => void;
  private readonly log: (line: string) => void;
  private readonly logEveryMs: number;
  private readonly drawEveryMs: number;
  private readonly started = performance.now();
  private lastOutput = Number.NEGATIVE_INFINITY;

  constructor(options: ProgressOptions) {
    this.total = options.total;
    this.tty = options.tty ?? process.stdout.isTTY === true;
    this.write = options.write ?? ((text: string) => void process.stdout.write(text));
    this.log = options.log;
    this.logEveryMs = options.logEveryMs ?? 5000;
    this.drawEveryMs = options.drawEveryMs ?? 100;
  }

  /** Call after each publish with the totals and the number of rows read; output is throttled. */
  update(published: number, malformed: number, row: number): void {
    const now = performance.now();
    if (now - this.lastOutput < (this.tty ? this.drawEveryMs : this.logEveryMs)) return;
    this.lastOutput = now;
    this.output(published, malformed, row, now, undefined);
  }

  /**
   * Draws the final state and ends the bar's line: 100% when the whole file was read, or, when it
   * was stopped before the end (`stopped: true`), `stopped at <rows handled> of <total>`.
   */
  finish(published: number, malformed: number, options: { readonly stopped?: boolean } = {}): void {
    const now = performance.now();
    if (options.stopped !== true) {
      this.output(published, malformed, this.total ?? 0, now, "Done");
      return;
    }
    this.output(published, malformed, published + malformed, now, "Stopped");
  }

  /**
   * The status text, e.g. `42% · 315 published · 812 ev/s · ETA 0:01 · 2 malformed`, or once
   * stopped early `stopped at 124 of 337 · 124 published · 24.9 ev/s`.
   */
  describe(
    published: number,
    malformed: number,
    row: number,
    now = performance.now(),
    stopped = false,
  ): string {
    const seconds = Math.max((now - this.started) / 1000, 1e-3);
    const rate = published / seconds;
    const parts: string[] = [];
    const total = this.total !== undefined && this.total > 0 ? this.total : undefined;
    if (stopped) {
      parts.push(
        `stopped at ${row}${total === undefined ? "" : ` of ${total}`}`,
        `${published} published`,
        `${formatRate(rate)} ev/s`,
      );
    } else if (total !== undefined) {
      parts.push(
        `${Math.floor(100 * Math.min(1, row / total))}%`,
        `${published} published`,
        `${formatRate(rate)} ev/s`,
      );
      // Rows go at the rate they are published (malformed ones are few), so the ETA is rows left / rate.
      const rowsPerSecond = row / seconds;
      parts.push(
        `ETA ${rowsPerSecond > 0 ? formatDuration((total - Math.min(row, total)) / rowsPerSecond) : "?"}`,
      );
    } else {
      parts.push(`${published} published`, `${formatRate(rate)} ev/s`);
    }
    if (malformed > 0) parts.push(`${malformed} malformed`);
    return parts.join(" · ");
  }

  private output(
    published: number,
    malformed: number,
    row: number,
    now: number,
    end: "Done" | "Stopped" | undefined,
  ): void {
    const text = this.describe(published, malformed, row, now, end === "Stopped");
    if (!this.tty) {
      this.log(`${end === "Done" ? "Done" : "Progress"}: ${text}`);
      return;
    }
    const width = 24;
    const fraction = this.total ? Math.min(1, row / this.total) : 0;
    const filled = Math.round(fraction * width);
    const close = end === undefined ? "" : "\n";
    this.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${text}\u001b[K${close}`);
  }
}

function formatRate(rate: number): string {
  return rate >= 100 ? groupThousands(Math.round(rate)) : rate.toFixed(1);
}

/** `m:ss` (or `h:mm:ss`). */
export function formatDuration(seconds: number): string {
  const total = Math.ceil(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

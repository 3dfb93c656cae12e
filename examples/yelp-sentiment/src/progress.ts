/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Lines in the file (for the percentage and ETA); `undefined` when unknown. */
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
 * progress.update(10, 0, 11); progress.finish(750, 0);
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

  /** Call after each publish with the totals and the file line reached; output is throttled. */
  update(published: number, malformed: number, line: number): void {
    const now = performance.now();
    if (now - this.lastOutput < (this.tty ? this.drawEveryMs : this.logEveryMs)) return;
    this.lastOutput = now;
    this.output(published, malformed, line, now, false);
  }

  /** Draws the final state and ends the bar's line. */
  finish(published: number, malformed: number): void {
    this.output(published, malformed, this.total ?? 0, performance.now(), true);
  }

  /** The status text, e.g. `42% · 315 published · 812 ev/s · ETA 0:01 · 2 malformed`. */
  describe(published: number, malformed: number, line: number, now = performance.now()): string {
    const seconds = Math.max((now - this.started) / 1000, 1e-3);
    const rate = published / seconds;
    const parts: string[] = [];
    if (this.total !== undefined && this.total > 0) {
      const fraction = Math.min(1, line / this.total);
      parts.push(`${Math.floor(100 * fraction)}%`, `${published} published`, `${formatRate(rate)} ev/s`);
      // Lines go at the rate rows are published (malformed ones are few), so the ETA is lines left / rate.
      const linesPerSecond = line / seconds;
      parts.push(
        `ETA ${linesPerSecond > 0 ? formatDuration((this.total - Math.min(line, this.total)) / linesPerSecond) : "?"}`,
      );
    } else {
      parts.push(`${published} published`, `${formatRate(rate)} ev/s`);
    }
    if (malformed > 0) parts.push(`${malformed} malformed`);
    return parts.join(" · ");
  }

  private output(published: number, malformed: number, line: number, now: number, final: boolean): void {
    const text = this.describe(published, malformed, line, now);
    if (!this.tty) {
      this.log(`${final ? "Done" : "Progress"}: ${text}`);
      return;
    }
    const width = 24;
    const fraction = this.total ? Math.min(1, line / this.total) : 0;
    const filled = Math.round(fraction * width);
    this.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${text}\u001b[K${final ? "\n" : ""}`);
  }
}

function formatRate(rate: number): string {
  return rate >= 100 ? groupThousands(Math.round(rate)) : rate.toFixed(1);
}

/** `12345` → `12,345`, without `toLocaleString` (whose first call loads ICU data: ~20 ms). */
function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** `m:ss` (or `h:mm:ss`). */
export function formatDuration(seconds: number): string {
  const total = Math.ceil(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

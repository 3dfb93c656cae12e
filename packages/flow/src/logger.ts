/** Run log levels, lowest first. */
export type LogLevel = "debug" | "info" | "warning" | "error" | "critical";

/** Structured fields attached to a log line (JSON values). */
export type LogFields = Record<string, unknown>;

/**
 * The logger of a run: lines go to the run's logs on the server (batched) and, unless `WEIR_PRINT_LOGS=0`,
 * to the terminal.
 * @example
 * ctx.logger.info("Loaded rows", { count: 1000 });
 * getRunLogger().warn("Precision is below threshold: 0.5", { precision: 0.5 });
 */
export interface RunLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warning(message: string, fields?: LogFields): void;
  /** Alias of {@link RunLogger.warning}. */
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  critical(message: string, fields?: LogFields): void;
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

/** Builds a {@link RunLogger} from one function that handles a line. */
export function createLogger(
  emit: (level: LogLevel, message: string, fields?: LogFields) => void,
): RunLogger {
  return {
    debug: (message, fields) => emit("debug", message, fields),
    info: (message, fields) => emit("info", message, fields),
    warning: (message, fields) => emit("warning", message, fields),
    warn: (message, fields) => emit("warning", message, fields),
    error: (message, fields) => emit("error", message, fields),
    critical: (message, fields) => emit("critical", message, fields),
    log: emit,
  };
}

const LABELS: Record<LogLevel, string> = {
  debug: "DEBUG   ",
  info: "INFO    ",
  warning: "WARNING ",
  error: "ERROR   ",
  critical: "CRITICAL",
};

/** Prints a line to stderr the way run logs look in the terminal. */
export function printLine(level: LogLevel, origin: string, message: string, fields?: LogFields): void {
  const time = new Date().toISOString().slice(11, 23);
  const extra = fields === undefined || Object.keys(fields).length === 0 ? "" : ` ${safeStringify(fields)}`;
  process.stderr.write(`${time} | ${LABELS[level]} | ${origin} - ${message}${extra}\n`);
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return "[unserializable fields]";
  }
}

/**
 * The logger returned by `getRunLogger()` outside of a run: it prints to the terminal and records nothing.
 */
export const detachedLogger: RunLogger = createLogger((level, message, fields) =>
  printLine(level, "(no run)", message, fields),
);

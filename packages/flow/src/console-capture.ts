import { format } from "node:util";
import type { LogLevel } from "./logger.js";
import { currentFrame, emitLog } from "./run-context.js";

const METHODS: ReadonlyArray<[keyof Console & ("log" | "info" | "debug" | "warn" | "error"), LogLevel]> = [
  ["log", "info"],
  ["info", "info"],
  ["debug", "debug"],
  ["warn", "warning"],
  ["error", "error"],
];

let installed = false;

/**
 * Patches `console.log/info/debug/warn/error` once per process: inside a run with `logPrints`, the printed
 * text also becomes a run log line (through AsyncLocalStorage); everywhere else, and always for the
 * terminal, the original method runs unchanged.
 */
export function installConsoleCapture(): void {
  if (installed) return;
  installed = true;
  for (const [method, level] of METHODS) {
    const original = console[method].bind(console) as (...args: unknown[]) => void;
    console[method] = (...args: unknown[]): void => {
      const frame = currentFrame();
      if (frame?.logPrints) emitLog(frame, level, format(...args), undefined, false);
      original(...args);
    };
  }
}

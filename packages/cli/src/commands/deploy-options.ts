import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

import { InvalidArgumentError } from "commander";

import { childArgs } from "../worker/run-process.js";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration such as `60s`, `5m`, `1h`, `500ms` or a bare number of seconds, in milliseconds.
 * @example parseDuration("5m"); // 300000
 */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (match === null) throw new InvalidArgumentError("expected a duration such as 60s, 5m, 1h or 500ms.");
  return Math.round(Number(match[1]) * (UNITS[match[2] ?? "s"] ?? 1000));
}

/**
 * Collects `--param k=v` options into an object; a value that reads as JSON (`0.7`, `true`, `[1,2]`,
 * `"quoted"`) is taken as such, anything else as a string.
 * @example collectParam("threshold=0.7", {}); // { threshold: 0.7 }
 */
export function collectParam(pair: string, previous: Record<string, unknown>): Record<string, unknown> {
  const eq = pair.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got "${pair}".`);
  const raw = pair.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a plain string
  }
  return { ...previous, [pair.slice(0, eq)]: value };
}

/** Collects a repeatable option into a list. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A positive number (e.g. seconds). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a positive number.");
  return n;
}

/** What `weir deploy` learns by loading the flow: its name and its parameters' JSON Schema. */
export interface FlowDescription {
  flowName: string;
  parameterSchema: Record<string, unknown> | null;
}

/**
 * Loads `entrypoint` in a child process exactly as a worker will (`--import tsx` for TypeScript) and
 * reads the flow's name and parameter schema, without running it. The module's top-level code runs.
 * @example await describeFlow("./src/flows.ts:monitor", process.cwd());
 */
export async function describeFlow(entrypoint: string, workingDirectory: string): Promise<FlowDescription> {
  const args = childArgs(entrypoint, workingDirectory, true);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, args, {
      cwd: workingDirectory,
      env: { ...process.env, WEIR_RUN_ID: "" },
      timeout: 60_000,
    });
    const last = stdout.trim().split("\n").at(-1) ?? "";
    return JSON.parse(last) as FlowDescription;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(
      `cannot load ${entrypoint} from ${path.resolve(workingDirectory)}: ${stderr || String(error)}`,
    );
  }
}

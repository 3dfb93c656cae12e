import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

import type { ErrorObject } from "ajv";

import { WeirHttpError } from "../errors.js";

/**
 * How long one check of a parameter schema (compiling it, validating parameters against it) may
 * take. A stored schema comes from whoever deployed the flow and its `pattern`/`patternProperties`
 * run on the parameters of every "Run now": a pattern that backtracks catastrophically
 * (`^(a+)+$` on `aaaa…!`) would block the server's event loop for seconds to years.
 */
const CHECK_TIME_LIMIT_MS = 1000;

/**
 * The checking thread: ajv (draft 2020-12, or draft-07 when `$schema` says so), compiled schemas
 * cached. CommonJS source run with `eval`, so that it loads the same way from the sources (tests)
 * and from `dist`; ajv's paths come in `workerData`.
 */
const CHECKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const draft07 = new (require(workerData.ajv).Ajv)({ strict: false, allErrors: true });
const draft2020 = new (require(workerData.ajv2020).Ajv2020)({ strict: false, allErrors: true });
const compiled = new Map();
parentPort.on("message", ({ schema, parameters }) => {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (validate === undefined) {
    const declared = typeof schema.$schema === "string" ? schema.$schema : "";
    try {
      validate = (/draft-0[4-7]/.test(declared) ? draft07 : draft2020).compile(schema);
    } catch (error) {
      parentPort.postMessage({ compileError: String(error && error.message) });
      return;
    }
    if (compiled.size >= 200) compiled.delete(compiled.keys().next().value);
    compiled.set(key, validate);
  }
  const errors = parameters === undefined || validate(parameters) ? [] : validate.errors || [];
  parentPort.postMessage({ errors: JSON.parse(JSON.stringify(errors)) });
});
parentPort.postMessage({ ready: true });
`;

type Answer = { compileError: string } | { errors: ErrorObject[] };

const resolve = createRequire(import.meta.url).resolve;
let checker: Promise<Worker> | undefined;
let queue: Promise<unknown> = Promise.resolve();

function startChecker(): Promise<Worker> {
  const worker = new Worker(CHECKER_SOURCE, {
    eval: true,
    workerData: { ajv: resolve("ajv"), ajv2020: resolve("ajv/dist/2020.js") },
    // A schema that makes ajv build something huge fails this check, not the server.
    resourceLimits: { maxOldGenerationSizeMb: 128 },
  });
  worker.unref();
  const started = new Promise<Worker>((ready, fail) => {
    worker.once("message", () => ready(worker));
    worker.once("error", fail);
  });
  // Ends the checker whatever stopped it (an error outside a check too): the next check starts another.
  const forget = (): void => {
    if (checker === started) checker = undefined;
  };
  worker.on("error", forget);
  worker.once("exit", forget);
  return started;
}

/** A 400 saying the schema could not be checked: what happened and what to do. */
function uncheckable(why: string): WeirHttpError {
  return new WeirHttpError(
    400,
    "WEIR_VALIDATION",
    `parameterSchema: checking the parameters against the flow's parameter schema ${why}. Simplify its "pattern" and "patternProperties" regular expressions (no nested or overlapping repetition such as (a+)+ or (a|a)*) or bound the strings with "maxLength".`,
  );
}

/** One check in the checking thread, killed (and restarted for the next) past the time limit. */
async function check(schema: Record<string, unknown>, parameters?: Record<string, unknown>): Promise<Answer> {
  checker ??= startChecker();
  const worker = await checker;
  return new Promise<Answer>((answer, fail) => {
    const done = (): void => {
      clearTimeout(timer);
      worker.off("message", onMessage);
      worker.off("error", onError);
    };
    const onMessage = (message: Answer): void => {
      done();
      answer(message);
    };
    const onError = (error: Error): void => {
      done();
      checker = undefined;
      fail(uncheckable(`failed (${error.message})`));
    };
    const timer = setTimeout(() => {
      done();
      checker = undefined;
      void worker.terminate();
      fail(uncheckable(`took longer than ${CHECK_TIME_LIMIT_MS} ms and was stopped`));
    }, CHECK_TIME_LIMIT_MS);
    worker.on("message", onMessage);
    worker.once("error", onError);
    worker.postMessage({ schema, parameters });
  });
}

/** Checks run one at a time: each gets the whole time limit. */
function serial<T>(job: () => Promise<T>): Promise<T> {
  const result = queue.then(job);
  queue = result.catch(() => undefined);
  return result;
}

/**
 * Compiles and checks in a worker thread with a time limit, so that no schema or parameters can
 * stall the server. A schema ajv cannot compile is a 400 that says why.
 */
async function errorsOf(
  schema: Record<string, unknown>,
  parameters?: Record<string, unknown>,
): Promise<ErrorObject[]> {
  const answer = await serial(() => check(schema, parameters));
  if ("compileError" in answer)
    throw new WeirHttpError(
      400,
      "WEIR_VALIDATION",
      `parameterSchema: not a JSON Schema ajv can use (${answer.compileError}). Send the JSON Schema of the flow's parameters (draft 2020-12 or draft-07).`,
    );
  return answer.errors;
}

/** Checks a parameter schema alone (on deploy, before any parameters are checked against it). */
export async function checkParameterSchema(schema: Record<string, unknown>): Promise<void> {
  await errorsOf(schema);
}

/**
 * Validates parameters against a flow's parameter schema; refuses them with a 400 naming the field
 * and ajv's message, e.g. `parameters.threshold: must be <= 1`. `partial` (a deployment's defaults
 * when it has no schedule: "Run now" may give the rest) lets required parameters be missing.
 */
export async function validateParameters(
  schema: Record<string, unknown> | null,
  parameters: Record<string, unknown>,
  partial = false,
): Promise<void> {
  if (schema === null) return;
  const errors = (await errorsOf(schema, parameters)).filter((e) => !partial || e.keyword !== "required");
  if (errors.length === 0) return;
  const error = errors[0];
  const path = (error?.instancePath ?? "").split("/").filter(Boolean).join(".");
  const missing =
    error?.keyword === "required"
      ? (error.params as { missingProperty?: string }).missingProperty
      : undefined;
  const field = ["parameters", path, missing].filter((p) => p !== undefined && p !== "").join(".");
  throw new WeirHttpError(
    400,
    "WEIR_VALIDATION",
    `${field}: ${error?.message ?? "does not match the flow's parameter schema"}`,
    { details: errors },
  );
}

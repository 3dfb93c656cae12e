import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import type { ModelInputType, ModelVersion } from "@weir/protocol";

import { apiErrorFrom, JsonText } from "./api-client.js";
import { describe, WeirApiError, WeirArgumentError } from "./errors.js";
import { currentFrame, getRunLogger } from "./run-context.js";
import { requestWithRetry } from "./retrying-request.js";
import { getRuntime } from "./runtime.js";

/**
 * What {@link publishModel} stores: anything whose `toJSON()` gives a `@weir/learn` checkpoint
 * envelope (a `Pipeline`, a `MultinomialNB`, …). `@weir/flow` does not depend on `@weir/learn`:
 * the server restores the checkpoint and refuses one it cannot restore.
 */
export interface PublishableModel {
  toJSON(): unknown;
}

/** Options of {@link publishModel}. */
export interface PublishModelOptions {
  /** A snapshot of the model's metrics (e.g. `{ precision: 0.75, recall: 0.72 }`); non-finite values are left out with a warning. */
  readonly metrics?: Readonly<Record<string, number>>;
  /** The step the model reflects, e.g. the number of events learned (a non-negative integer). */
  readonly step?: number;
  /** The stream offset the model reflects (the last event learned). */
  readonly offset?: string | number;
  readonly description?: string;
  /** What the model takes. @default inferred by the server from the pipeline */
  readonly inputType?: ModelInputType;
  /**
   * The run that made the version. @default the current flow run (none outside of a flow)
   */
  readonly runId?: string;
  /** @default the version of the `@weir/learn` package installed beside `@weir/flow`, if any */
  readonly learnVersion?: string;
  /**
   * How long an unreachable or overloaded server is retried (shared backoff), in ms.
   * @default the client's `checkpointTimeoutMs` (30000)
   */
  readonly timeoutMs?: number;
  /**
   * Stops the publish (and its retries). Not the run's signal by default: a model learned until
   * Ctrl-C can still be published on the way out, like a last checkpoint.
   */
  readonly signal?: AbortSignal;
}

/**
 * The models of a flow run (`ctx.models`): publishes versions attributed to the run.
 * @example
 * await ctx.models.publish("yelp-sentiment", pipeline, { step: 1000, metrics: { precision: 0.75 } });
 */
export interface ModelRegistry {
  /** {@link publishModel} with the run's id; a plain function (pass `ctx.models.publish` around freely). */
  readonly publish: (
    name: string,
    model: PublishableModel,
    options?: PublishModelOptions,
  ) => Promise<ModelVersion>;
}

/**
 * Publishes a new immutable version of a model to the Weir server's registry: its checkpoint (the
 * model's `toJSON()`) with the run that made it, the step or offset it reflects, a metrics
 * snapshot and the `@weir/learn` version. Versions are numbered 1, 2, … per name; aliases that
 * follow the latest version (and `latest`) move to it, and the server starts serving it.
 *
 * It is a synchronous API call (not spooled): it resolves with the stored version once the server
 * stored it, retries an unreachable or overloaded server for up to `timeoutMs`, and throws a
 * `WeirApiError` naming the reason when the server refuses (a checkpoint that does not restore, a
 * missing API key) or stays unreachable; a bad name, step or model throws a `WeirArgumentError`.
 *
 * @example
 * const version = await publishModel("yelp-sentiment", model, { step: 1000, metrics: { precision: 0.75 } });
 * console.log(`published version ${version.version}`);
 */
export async function publishModel(
  name: string,
  model: PublishableModel,
  options: PublishModelOptions = {},
): Promise<ModelVersion> {
  // Loaded here, not at start-up: the schemas (and zod) only for processes that publish models.
  const { modelNameSchema } = await import("@weir/protocol");
  const checkedName = modelNameSchema.safeParse(name);
  if (!checkedName.success) {
    throw new WeirArgumentError(
      `Model name "${name}" is invalid: ${checkedName.error.issues[0]?.message ?? "bad name"}.`,
    );
  }
  const body = requestBody(name, model, options);
  const rt = getRuntime();
  const what = `Publishing model "${name}"`;
  const response = await requestWithRetry(
    rt.api,
    {
      what,
      timeoutMs: options.timeoutMs ?? rt.config.checkpointTimeoutMs,
      timeoutName: "timeoutMs",
      giveUp: (message, cause) => new WeirApiError(message, { cause }),
      signal: options.signal,
    },
    "POST",
    `/models/${encodeURIComponent(name)}/versions`,
    body,
  );
  if (response.status !== 200 && response.status !== 201) throw apiErrorFrom(what, response);
  return response.body as ModelVersion;
}

/**
 * The `ctx.models` of a run: {@link publishModel} attributed to `runId`.
 * @example
 * const models = createModelRegistry(runId);
 */
export function createModelRegistry(runId: string): ModelRegistry {
  return { publish: (name, model, options = {}) => publishModel(name, model, { runId, ...options }) };
}

/** The request body, with the checkpoint serialized once (it may hold 100,000 features). */
function requestBody(name: string, model: PublishableModel, options: PublishModelOptions): JsonText {
  if (typeof (model as Partial<PublishableModel> | null)?.toJSON !== "function") {
    throw new WeirArgumentError(
      `publishModel("${name}") needs a model with toJSON() (a @weir/learn model, e.g. a Pipeline); got ${describe(model).slice(0, 100)}.`,
    );
  }
  const { step, offset, description, inputType } = options;
  if (step !== undefined && !(Number.isSafeInteger(step) && step >= 0)) {
    throw new WeirArgumentError(
      `publishModel("${name}") got step ${step}: a step is a non-negative integer (e.g. events learned).`,
    );
  }
  let checkpoint: string | undefined;
  try {
    checkpoint = JSON.stringify(model.toJSON());
  } catch (cause) {
    throw new WeirArgumentError(
      `publishModel("${name}"): the model's toJSON() failed or is not JSON (${describe(cause)}).`,
    );
  }
  if (checkpoint === undefined) {
    throw new WeirArgumentError(`publishModel("${name}"): the model's toJSON() returned nothing.`);
  }
  const runId = options.runId ?? currentFrame()?.flowRun.id;
  const learnVersion = options.learnVersion ?? installedLearnVersion();
  const metadata = {
    ...(runId === undefined ? {} : { runId }),
    ...(step === undefined ? {} : { step }),
    ...(offset === undefined ? {} : { offset }),
    ...(options.metrics === undefined ? {} : { metrics: finiteMetrics(name, options.metrics) }),
    ...(learnVersion === undefined ? {} : { learnVersion }),
    ...(description === undefined ? {} : { description }),
    ...(inputType === undefined ? {} : { inputType }),
  };
  const rest = JSON.stringify(metadata).slice(1, -1);
  return new JsonText(`{"checkpoint":${checkpoint}${rest === "" ? "" : `,${rest}`}}`);
}

/** The metrics that are finite numbers; the others (a precision before any prediction: NaN) are left out, said once. */
function finiteMetrics(name: string, metrics: Readonly<Record<string, number>>): Record<string, number> {
  const finite: Record<string, number> = {};
  const left: string[] = [];
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value === "number" && Number.isFinite(value)) finite[key] = value;
    else left.push(`${key}=${String(value)}`);
  }
  if (left.length > 0) {
    getRunLogger().warn(
      `Model "${name}": metrics ${left.join(", ")} are not finite numbers; published without them.`,
    );
  }
  return finite;
}

let learnVersionCache: { value: string | undefined } | undefined;

/**
 * The version of `@weir/learn` where Node would find it from here, read from its package.json
 * without loading it (this package does not depend on it). `undefined` when it is not installed.
 */
function installedLearnVersion(): string | undefined {
  if (learnVersionCache !== undefined) return learnVersionCache.value;
  let value: string | undefined;
  try {
    const folders = createRequire(import.meta.url).resolve.paths("@weir/learn") ?? [];
    const found = folders
      .map((folder) => path.join(folder, "@weir", "learn", "package.json"))
      .find((file) => existsSync(file));
    if (found !== undefined) {
      const pkg = JSON.parse(readFileSync(found, "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "@weir/learn" && typeof pkg.version === "string") value = pkg.version;
    }
  } catch {
    value = undefined; // an unreadable package.json: published without a learnVersion
  }
  learnVersionCache = { value };
  return value;
}

import { DEFAULT_SERVING_ALIAS } from "@weir/protocol";
import type {
  ModelAlias,
  ModelAliasChange,
  ModelDetail,
  ModelInput,
  ModelSummary,
  ModelVersion,
  PredictAnswer,
} from "@weir/protocol";
import { Command, InvalidArgumentError } from "commander";

import { apiUrl, table } from "./runs.js";

/**
 * One call of the models API at WEIR_API_URL, with WEIR_API_KEY as bearer token when set (writes
 * and, unless the server serves models publicly, predictions need it). Throws the server's message.
 */
async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const key = process.env.WEIR_API_KEY;
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(`${apiUrl()}/api${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (cause) {
    throw new Error(
      `cannot reach the Weir server at ${apiUrl()} (start it with \`weir server start\` or set WEIR_API_URL)`,
      { cause },
    );
  }
  const answer = (await response.json().catch(() => undefined)) as
    { error?: { message?: string } } | undefined;
  if (!response.ok) {
    const message = answer?.error?.message ?? `${response.status} ${response.statusText} from ${path}`;
    const hint = response.status === 401 && !key ? " (set WEIR_API_KEY to the server's API key)" : "";
    throw new Error(`${message}${hint}`);
  }
  return answer as T;
}

const modelPath = (name: string): string => `/models/${encodeURIComponent(name)}`;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError("expected a version number (1, 2, …)");
  return n;
}

function when(text: string): string {
  return text.replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/** `production=3, candidate=4` (the implicit `latest` left out). */
function aliasList(aliases: Record<string, number>): string {
  const named = Object.entries(aliases).filter(([alias]) => alias !== "latest");
  return named.map(([alias, version]) => `${alias}=${version}`).join(", ") || "-";
}

function figure(value: number | null, digits: number, unit = ""): string {
  return value === null ? "-" : `${Number(value.toFixed(digits))}${unit}`;
}

function metricList(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([name, value]) => `${name}=${Number(value.toPrecision(4))}`)
    .join(" ");
}

async function listModels(options: { json?: boolean }): Promise<void> {
  const models = await call<ModelSummary[]>("GET", "/models");
  if (options.json === true) return console.log(JSON.stringify(models, null, 2));
  if (models.length === 0) {
    console.log("No models yet. Publish one from a flow with ctx.models.publish(name, model).");
    return;
  }
  console.log(
    table(
      ["NAME", "LATEST", "VERSIONS", "ALIASES", "PREDICTIONS/S", "P99", "ACCURACY", "UPDATED"],
      models.map((m) => [
        m.name,
        String(m.latestVersion),
        String(m.versions),
        aliasList(m.aliases),
        figure(m.stats.predictionsPerSecond, 1),
        figure(m.stats.p99Ms, 2, " ms"),
        figure(m.stats.accuracy, 3),
        when(m.updatedAt),
      ]),
    ),
  );
}

async function showModel(name: string, options: { json?: boolean }): Promise<void> {
  const model = await call<ModelDetail>("GET", modelPath(name));
  if (options.json === true) return console.log(JSON.stringify(model, null, 2));
  const serving = model.aliases[DEFAULT_SERVING_ALIAS] ?? model.latestVersion;
  const follow =
    model.followLatest.length === 0 ? "" : ` · following latest: ${model.followLatest.join(", ")}`;
  console.log(`model     ${model.name}`);
  console.log(`aliases   latest=${model.latestVersion}, ${aliasList(model.aliases)}${follow}`);
  console.log(
    `serving   version ${serving} by default (alias ${model.aliases[DEFAULT_SERVING_ALIAS] === undefined ? "latest" : DEFAULT_SERVING_ALIAS})`,
  );
  console.log(
    `live      ${figure(model.stats.predictionsPerSecond, 1)} predictions/s · p50 ${figure(model.stats.p50Ms, 2, " ms")} · ` +
      `p99 ${figure(model.stats.p99Ms, 2, " ms")} · ${model.stats.labels} labels · accuracy ${figure(model.stats.accuracy, 3)}`,
  );
  console.log("");
  console.log(
    table(
      ["VERSION", "CREATED", "STEP", "RUN", "METRICS", "ALIASES"],
      model.versions.map((v: ModelVersion) => [
        String(v.version),
        when(v.createdAt),
        v.step === null ? "-" : String(v.step),
        v.runId ?? "-",
        metricList(v.metrics) || "-",
        v.aliases.join(", ") || "-",
      ]),
    ),
  );
}

async function setAlias(name: string, alias: string, version: number, verb: string): Promise<void> {
  const before = await call<ModelDetail>("GET", modelPath(name));
  const was = before.aliases[alias];
  const set = await call<ModelAlias>("PUT", `${modelPath(name)}/aliases/${encodeURIComponent(alias)}`, {
    version,
  });
  console.log(
    `${verb} ${name}: ${set.alias} → version ${set.version}${was === undefined ? " (new alias)" : ` (was ${was})`}`,
  );
}

/** The version the alias named before its current one (its history, newest change last). */
async function previousVersion(name: string, alias: string): Promise<number> {
  const model = await call<ModelDetail>("GET", modelPath(name));
  const current = model.aliases[alias];
  if (current === undefined) {
    throw new Error(
      `model "${name}" has no alias "${alias}"; promote a version first (weir models promote).`,
    );
  }
  const history = await call<ModelAliasChange[]>(
    "GET",
    `${modelPath(name)}/aliases/${encodeURIComponent(alias)}/history`,
  );
  const earlier = history
    .map((change) => change.version)
    .filter((version): version is number => version !== null && version !== current)
    .at(-1);
  if (earlier === undefined) {
    throw new Error(
      `alias "${alias}" of "${name}" never named another version than ${current}; ` +
        "pick one with `weir models promote <name> <version>`.",
    );
  }
  return earlier;
}

function predictInput(text: string, features: boolean | undefined): ModelInput {
  if (features !== true) return text;
  try {
    return JSON.parse(text) as ModelInput;
  } catch {
    throw new Error(`--features takes a JSON object of features (e.g. '{"age": 42}'); got ${text}`);
  }
}

async function predict(
  name: string,
  text: string,
  options: { version?: number; alias?: string; features?: boolean; json?: boolean },
): Promise<void> {
  if (options.version !== undefined && options.alias !== undefined)
    throw new Error("give --version or --alias, not both.");
  const query = new URLSearchParams();
  if (options.version !== undefined) query.set("version", String(options.version));
  if (options.alias !== undefined) query.set("alias", options.alias);
  const suffix = query.size === 0 ? "" : `?${query.toString()}`;
  const answer = await call<PredictAnswer>("POST", `${modelPath(name)}/predict${suffix}`, {
    input: predictInput(text, options.features),
  });
  if (options.json === true) return console.log(JSON.stringify(answer, null, 2));
  const [prediction] = answer.predictions;
  if (prediction === undefined) throw new Error("the server answered without a prediction");
  console.log(`${answer.model} version ${answer.version}: ${JSON.stringify(prediction.label)}`);
  const classes = Object.entries(prediction.probabilities).sort(([, a], [, b]) => b - a);
  for (const [label, p] of classes) console.log(`  ${label.padEnd(12)} ${p}`);
  console.log(`prediction id ${prediction.id} (POST a late label to /api/models/${name}/labels)`);
}

/**
 * `weir models ls | show | promote | rollback | predict`: the model registry of the server at
 * `WEIR_API_URL` (writes and predictions send `WEIR_API_KEY`).
 *
 * @example
 * weir models promote yelp-sentiment 3 --alias production
 * weir models predict yelp-sentiment "The food was great"
 */
export function modelsCommand(): Command {
  const models = new Command("models").description(
    "list, inspect, promote, roll back and query the served models (server at $WEIR_API_URL)",
  );
  const alias = ["--alias <alias>", "the alias to move", DEFAULT_SERVING_ALIAS] as const;
  models
    .command("ls")
    .alias("list")
    .description("list models with their latest version, aliases and live serving figures")
    .option("--json", "print JSON")
    .action(listModels);
  models
    .command("show <name>")
    .description("show a model's aliases, live figures and versions (newest first)")
    .option("--json", "print JSON")
    .action(showModel);
  models
    .command("promote <name> <version>")
    .description("point an alias (default production) at a version; the server swaps it in atomically")
    .option(...alias)
    .action((name: string, version: string, options: { alias: string }) =>
      setAlias(name, options.alias, positiveInt(version), "Promoted"),
    );
  models
    .command("rollback <name>")
    .description("point an alias (default production) back at the version it named before")
    .option(...alias)
    .option("--to <version>", "roll back to this version instead", positiveInt)
    .action(async (name: string, options: { alias: string; to?: number }) =>
      setAlias(
        name,
        options.alias,
        options.to ?? (await previousVersion(name, options.alias)),
        "Rolled back",
      ),
    );
  models
    .command("predict <name> <input>")
    .description("ask the served model for a prediction of one text (or --features JSON)")
    .option("--version <n>", "answer with this version", positiveInt)
    .option("--alias <alias>", "answer with the version this alias names (default: production, else latest)")
    .option("--features", "the input is a JSON object of features, not a text")
    .option("--json", "print the whole answer as JSON")
    .action(predict);
  return models;
}

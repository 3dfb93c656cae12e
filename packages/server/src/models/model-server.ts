import { promisify } from "node:util";
import { gunzip } from "node:zlib";

import { DEFAULT_SERVING_ALIAS, LATEST_ALIAS } from "@weir/protocol";

import { WeirHttpError } from "../errors.js";
import type { Storage } from "../storage/database.js";
import { getCheckpointBlob, getModel } from "../storage/model-repository.js";
import type { ModelRecord } from "../storage/model-repository.js";
import { LoadedModel, restorePredictor } from "./loaded-model.js";

const gunzipAsync = promisify(gunzip);
/** Resolves after the I/O (requests) that is waiting now has been handled. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Versions asked for by number (`?version=`) kept loaded per model, besides the aliased ones. */
const PINNED_VERSIONS = 4;

/** What a predict call asks for: a version, an alias, or neither (the default alias). */
export interface Target {
  version?: number | undefined;
  alias?: string | undefined;
}

/** A model being served: its aliases and the loaded version behind each. */
interface Served {
  /** Alias → version, `latest` included, as last read from the database. */
  aliases: Map<string, number>;
  /** Alias → loaded version: swapped one reference at a time, after the new version is loaded. */
  live: Map<string, LoadedModel>;
  /** Versions asked for by number, most recent use last. */
  pinned: Map<number, LoadedModel>;
  /** Refreshes of this model run one after another, each from a fresh read. */
  refreshing: Promise<void>;
}

export function modelNotFound(name: string): WeirHttpError {
  return new WeirHttpError(
    404,
    "WEIR_NOT_FOUND",
    `Model "${name}" does not exist: publish a version first (POST /api/models/${name}/versions, or publishModel from a flow).`,
  );
}

/**
 * The models this server answers predictions from, in memory. A request resolves its target to a
 * {@link LoadedModel} synchronously once it is loaded; a promote or publish loads and restores the
 * new version first and only then replaces the alias's reference, so no request fails or waits
 * during a swap, and each request is answered wholly by the version it resolved.
 *
 * @example
 * const model = server.cached("yelp-sentiment", {}) ?? (await server.resolve("yelp-sentiment", {}));
 */
export class ModelServer {
  readonly #served = new Map<string, Served>();
  /** Loads in flight, by `name@version`, so concurrent first requests restore once. */
  readonly #loading = new Map<string, Promise<LoadedModel>>();
  /** Models whose first load is in flight. */
  readonly #opening = new Map<string, Promise<Served>>();

  constructor(private readonly storage: Storage) {}

  /** The loaded model for `target`, if it is in memory now (the hot path: no promise). */
  cached(name: string, target: Target): LoadedModel | undefined {
    const served = this.#served.get(name);
    if (served === undefined) return undefined;
    if (target.version !== undefined)
      return served.pinned.get(target.version) ?? this.#liveVersion(served, target.version);
    if (target.alias !== undefined) return served.live.get(target.alias);
    return served.live.get(DEFAULT_SERVING_ALIAS) ?? served.live.get(LATEST_ALIAS);
  }

  /** Loads what `target` names (404 for an unknown model, version or alias). */
  async resolve(name: string, target: Target): Promise<LoadedModel> {
    const served = this.#served.get(name) ?? (await this.#open(name));
    const hit = this.cached(name, target);
    if (hit !== undefined) return hit;
    if (target.version !== undefined) {
      const loaded = await this.#load(name, target.version);
      served.pinned.delete(target.version);
      served.pinned.set(target.version, loaded);
      while (served.pinned.size > PINNED_VERSIONS)
        served.pinned.delete(served.pinned.keys().next().value as number);
      return loaded;
    }
    const alias =
      target.alias ?? (served.aliases.has(DEFAULT_SERVING_ALIAS) ? DEFAULT_SERVING_ALIAS : LATEST_ALIAS);
    // A model that just got the alias elsewhere (another replica): read it again once.
    if (!served.aliases.has(alias)) await this.refresh(name);
    const live = served.live.get(alias);
    if (live !== undefined) return live;
    throw new WeirHttpError(
      404,
      "WEIR_NOT_FOUND",
      `Model "${name}" has no alias "${alias}" (aliases: ${[...served.aliases.keys()].join(", ")}). Set it with PUT /api/models/${name}/aliases/${alias}.`,
    );
  }

  /** Whether `name` is in memory (a publish or alias change of a served model refreshes it). */
  isServed(name: string): boolean {
    return this.#served.has(name);
  }

  /** Names of the models in memory. */
  servedNames(): string[] {
    return [...this.#served.keys()];
  }

  /**
   * Reads the model's aliases again and swaps every alias whose version changed, loading the new
   * versions first. `ready` offers versions already restored (a publish restored its checkpoint
   * to validate it). Resolves once this server answers from the new versions.
   */
  refresh(name: string, ready?: LoadedModel): Promise<void> {
    // Being opened from a read made before this change: refresh once it is open.
    const opening = this.#opening.get(name);
    if (opening !== undefined)
      return opening.then(
        () => this.refresh(name, ready),
        () => undefined,
      );
    const served = this.#served.get(name);
    if (served === undefined) return Promise.resolve();
    const next = served.refreshing.then(() => this.#refreshNow(name, served, ready));
    served.refreshing = next.catch(() => undefined);
    return next;
  }

  async #refreshNow(name: string, served: Served, ready: LoadedModel | undefined): Promise<void> {
    const record = await getModel(this.storage.db, name);
    if (record === undefined) {
      this.#served.delete(name);
      return;
    }
    const aliases = aliasMap(record);
    const loaded = new Map<number, LoadedModel>();
    if (ready !== undefined) loaded.set(ready.version, ready);
    for (const model of served.live.values()) loaded.set(model.version, model);
    for (const version of new Set(aliases.values()))
      if (!loaded.has(version)) loaded.set(version, await this.#load(name, version));
    // Every new version is in memory: now the swaps, one reference each, with no await between.
    for (const [alias, version] of aliases) served.live.set(alias, loaded.get(version) as LoadedModel);
    for (const alias of served.live.keys()) if (!aliases.has(alias)) served.live.delete(alias);
    served.aliases = aliases;
  }

  #liveVersion(served: Served, version: number): LoadedModel | undefined {
    for (const model of served.live.values()) if (model.version === version) return model;
    return undefined;
  }

  #open(name: string): Promise<Served> {
    let opening = this.#opening.get(name);
    if (opening === undefined) {
      opening = this.#openNow(name).finally(() => this.#opening.delete(name));
      this.#opening.set(name, opening);
    }
    return opening;
  }

  async #openNow(name: string): Promise<Served> {
    const record = await getModel(this.storage.db, name);
    if (record === undefined) throw modelNotFound(name);
    const aliases = aliasMap(record);
    const live = new Map<string, LoadedModel>();
    const byVersion = new Map<number, LoadedModel>();
    for (const [alias, version] of aliases) {
      const model = byVersion.get(version) ?? (await this.#load(name, version));
      byVersion.set(version, model);
      live.set(alias, model);
    }
    const served: Served = { aliases, live, pinned: new Map(), refreshing: Promise.resolve() };
    this.#served.set(name, served);
    return served;
  }

  #load(name: string, version: number): Promise<LoadedModel> {
    const key = `${name}@${version}`;
    let loading = this.#loading.get(key);
    if (loading === undefined) {
      loading = this.#loadNow(name, version).finally(() => this.#loading.delete(key));
      this.#loading.set(key, loading);
    }
    return loading;
  }

  async #loadNow(name: string, version: number): Promise<LoadedModel> {
    const blob = await getCheckpointBlob(this.storage.db, name, version);
    if (blob === undefined)
      throw new WeirHttpError(
        404,
        "WEIR_NOT_FOUND",
        `Model "${name}" has no version ${version}: GET /api/models/${name} lists its versions.`,
      );
    // Off the request path as far as it goes: gunzip runs on the thread pool, and the parse and
    // the restore (each tens of ms for 100,000 features) run in turns of their own, so that
    // requests that arrive meanwhile are answered between them (from the version still served).
    const text = (await gunzipAsync(blob.checkpoint)).toString("utf8");
    await nextTurn();
    const json: unknown = JSON.parse(text);
    await nextTurn();
    return new LoadedModel(name, version, blob.inputType, restorePredictor(json).predictor);
  }
}

/** Alias → version of a model, `latest` first. */
export function aliasMap(record: ModelRecord): Map<string, number> {
  const map = new Map<string, number>([[LATEST_ALIAS, record.latestVersion]]);
  for (const a of record.aliases) map.set(a.alias, a.version);
  return map;
}

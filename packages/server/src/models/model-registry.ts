import { promisify } from "node:util";
import { gzip } from "node:zlib";

import { LATEST_ALIAS } from "@weir/protocol";
import type {
  ModelAlias,
  ModelDetail,
  ModelSummary,
  ModelVersion,
  PublishModelVersion,
  SetModelAlias,
} from "@weir/protocol";

import { WeirHttpError } from "../errors.js";
import type { RunService } from "../services/run-service.js";
import {
  deleteAlias,
  getModel,
  getVersion,
  insertVersion,
  listModels,
  listVersions,
  toModelVersion,
  upsertAlias,
} from "../storage/model-repository.js";
import type { ModelRecord } from "../storage/model-repository.js";
import { LoadedModel, restorePredictor } from "./loaded-model.js";
import { aliasMap, modelNotFound } from "./model-server.js";
import type { ModelServer } from "./model-server.js";
import type { ModelStatsBook } from "./model-stats.js";

const gzipAsync = promisify(gzip);

function versionNotFound(name: string, version: number, latest: number): WeirHttpError {
  return new WeirHttpError(
    404,
    "WEIR_NOT_FOUND",
    `Model "${name}" has no version ${version} (its versions are 1 to ${latest}).`,
  );
}

function latestIsImplicit(name: string): WeirHttpError {
  return new WeirHttpError(
    400,
    "WEIR_VALIDATION",
    `Alias "${LATEST_ALIAS}" always names the newest version of "${name}" and cannot be set or deleted; use another alias (e.g. production) or { "followLatest": true }.`,
  );
}

/**
 * The registry: publishes immutable, numbered versions (validated by restoring them), sets and
 * deletes aliases (promote, roll back, follow the latest) with their history, and tells the
 * {@link ModelServer} so that it swaps what it serves before the call answers.
 */
export class ModelRegistry {
  constructor(
    private readonly service: RunService,
    private readonly server: ModelServer,
    private readonly stats: ModelStatsBook,
  ) {}

  /** A model with its aliases (404 when it does not exist). */
  async model(name: string): Promise<ModelRecord> {
    const model = await getModel(this.service.storage.db, name);
    if (model === undefined) throw modelNotFound(name);
    return model;
  }

  /** Stores the next version; the served aliases that follow the latest switch to it before this resolves. */
  async publish(name: string, body: PublishModelVersion): Promise<ModelVersion> {
    const { predictor, inferredType } = restorePredictor(body.checkpoint);
    const inputType = body.inputType ?? inferredType;
    const text = JSON.stringify(body.checkpoint);
    const checkpoint = await gzipAsync(text);
    const { version } = await this.service.write((trx) =>
      insertVersion(
        trx,
        {
          name,
          runId: body.runId,
          step: body.step,
          offset: body.offset,
          metrics: body.metrics ?? {},
          learnVersion: body.learnVersion,
          description: body.description,
          sizeBytes: Buffer.byteLength(text),
          inputType,
          checkpoint,
        },
        Date.now(),
      ),
    );
    await this.server.refresh(name, new LoadedModel(name, version, inputType, predictor));
    return this.version(name, version);
  }

  /** One version's metadata. */
  async version(name: string, version: number): Promise<ModelVersion> {
    const model = await this.model(name);
    const row = await getVersion(this.service.storage.db, name, version);
    if (row === undefined) throw versionNotFound(name, version, model.latestVersion);
    return toModelVersion(row, model);
  }

  /** Every model with its aliases and live figures. */
  async list(): Promise<ModelSummary[]> {
    const models = await listModels(this.service.storage.db);
    const counts = await this.service.storage.db
      .selectFrom("model_versions")
      .select((eb) => ["name", eb.fn.countAll<number>().as("count")])
      .groupBy("name")
      .execute();
    const byName = new Map(counts.map((c) => [c.name, Number(c.count)]));
    return models.map((m) => this.#summary(m, byName.get(m.name) ?? 0));
  }

  /** One model with every version, newest first. */
  async detail(name: string): Promise<ModelDetail> {
    const model = await this.model(name);
    const rows = await listVersions(this.service.storage.db, name);
    const { versions: count, ...summary } = this.#summary(model, rows.length);
    return { ...summary, versionCount: count, versions: rows.map((row) => toModelVersion(row, model)) };
  }

  #summary(model: ModelRecord, versions: number): ModelSummary {
    return {
      name: model.name,
      latestVersion: model.latestVersion,
      versions,
      aliases: Object.fromEntries(aliasMap(model)),
      followLatest: model.aliases.filter((a) => a.follow_latest === 1).map((a) => a.alias),
      createdAt: new Date(model.createdAt).toISOString(),
      updatedAt: new Date(model.updatedAt).toISOString(),
      stats: this.stats.get(model.name),
    };
  }

  /** Promote, roll back or follow the latest; this server answers from the new version when it resolves. */
  async setAlias(name: string, alias: string, body: SetModelAlias): Promise<ModelAlias> {
    if (alias === LATEST_ALIAS) throw latestIsImplicit(name);
    const followLatest = "followLatest" in body;
    const now = Date.now();
    const version = await this.service.write(async (trx) => {
      const model = await getModel(trx, name);
      if (model === undefined) throw modelNotFound(name);
      const target = followLatest ? model.latestVersion : body.version;
      if (!followLatest && (await getVersion(trx, name, target)) === undefined)
        throw versionNotFound(name, target, model.latestVersion);
      await upsertAlias(trx, name, alias, target, followLatest, now);
      return target;
    });
    await this.server.refresh(name);
    return { name, alias, version, followLatest, updatedAt: new Date(now).toISOString() };
  }

  /** Deletes an alias (404 when it is not set). */
  async deleteAlias(name: string, alias: string): Promise<void> {
    if (alias === LATEST_ALIAS) throw latestIsImplicit(name);
    const deleted = await this.service.write(async (trx) => {
      if ((await getModel(trx, name)) === undefined) throw modelNotFound(name);
      return deleteAlias(trx, name, alias, Date.now());
    });
    if (!deleted)
      throw new WeirHttpError(404, "WEIR_NOT_FOUND", `Model "${name}" has no alias "${alias}" to delete.`);
    await this.server.refresh(name);
  }
}

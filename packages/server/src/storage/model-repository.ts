import { LATEST_ALIAS } from "@weir/protocol";
import type { ModelAliasChange, ModelInputType, ModelVersion } from "@weir/protocol";
import type { Kysely, Selectable } from "kysely";

import { iso } from "./cursor.js";
import type { Database, ModelAliasesTable, ModelVersionsTable, ModelsTable } from "./schema.js";

type Db = Kysely<Database>;

/** A model row with the aliases set on it (`latest` not included: it is implicit). */
export interface ModelRecord {
  name: string;
  latestVersion: number;
  createdAt: number;
  updatedAt: number;
  aliases: Selectable<ModelAliasesTable>[];
}

/** What a publish stores besides the checkpoint. */
export interface NewModelVersion {
  name: string;
  runId: string | undefined;
  step: number | undefined;
  offset: string | number | undefined;
  metrics: Record<string, number>;
  learnVersion: string | undefined;
  description: string | undefined;
  sizeBytes: number;
  inputType: ModelInputType;
  /** The gzip-compressed checkpoint JSON. */
  checkpoint: Buffer;
}

const VERSION_COLUMNS = [
  "name",
  "version",
  "created_at",
  "run_id",
  "step",
  "offset_json",
  "metrics",
  "learn_version",
  "description",
  "size_bytes",
  "input_type",
] as const;

type VersionRow = Pick<Selectable<ModelVersionsTable>, (typeof VERSION_COLUMNS)[number]>;

/** The names of the aliases of `model` that point at `version` (with `latest` for the newest). */
function aliasesOf(model: ModelRecord, version: number): string[] {
  const names = model.aliases.filter((a) => a.version === version).map((a) => a.alias);
  return version === model.latestVersion ? [LATEST_ALIAS, ...names] : names;
}

/** A version row as the API returns it. */
export function toModelVersion(row: VersionRow, model: ModelRecord): ModelVersion {
  return {
    name: row.name,
    version: row.version,
    createdAt: iso(row.created_at) ?? "",
    runId: row.run_id,
    step: row.step,
    offset: row.offset_json === null ? null : (JSON.parse(row.offset_json) as string | number),
    metrics: JSON.parse(row.metrics) as Record<string, number>,
    learnVersion: row.learn_version,
    description: row.description,
    sizeBytes: row.size_bytes,
    inputType: row.input_type as ModelInputType,
    aliases: aliasesOf(model, row.version),
  };
}

function toRecord(row: Selectable<ModelsTable>, aliases: Selectable<ModelAliasesTable>[]): ModelRecord {
  return {
    name: row.name,
    latestVersion: row.latest_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    aliases: aliases.filter((a) => a.name === row.name),
  };
}

/** Every model with its aliases, by name. */
export async function listModels(db: Db): Promise<ModelRecord[]> {
  const [models, aliases] = await Promise.all([
    db.selectFrom("models").selectAll().orderBy("name").execute(),
    db.selectFrom("model_aliases").selectAll().orderBy("alias").execute(),
  ]);
  return models.map((m) => toRecord(m, aliases));
}

/** One model with its aliases, or undefined. */
export async function getModel(db: Db, name: string): Promise<ModelRecord | undefined> {
  const row = await db.selectFrom("models").selectAll().where("name", "=", name).executeTakeFirst();
  if (row === undefined) return undefined;
  const aliases = await db
    .selectFrom("model_aliases")
    .selectAll()
    .where("name", "=", name)
    .orderBy("alias")
    .execute();
  return toRecord(row, aliases);
}

/** The versions of a model, newest first, without their checkpoints. */
export async function listVersions(db: Db, name: string): Promise<VersionRow[]> {
  return db
    .selectFrom("model_versions")
    .select(VERSION_COLUMNS)
    .where("name", "=", name)
    .orderBy("version", "desc")
    .execute();
}

/** One version's metadata, or undefined. */
export async function getVersion(db: Db, name: string, version: number): Promise<VersionRow | undefined> {
  return db
    .selectFrom("model_versions")
    .select(VERSION_COLUMNS)
    .where("name", "=", name)
    .where("version", "=", version)
    .executeTakeFirst();
}

/** One version's compressed checkpoint and input type, or undefined. */
export async function getCheckpointBlob(
  db: Db,
  name: string,
  version: number,
): Promise<{ checkpoint: Buffer; inputType: ModelInputType } | undefined> {
  const row = await db
    .selectFrom("model_versions")
    .select(["checkpoint", "input_type"])
    .where("name", "=", name)
    .where("version", "=", version)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { checkpoint: Buffer.from(row.checkpoint), inputType: row.input_type as ModelInputType };
}

async function appendHistory(
  trx: Db,
  name: string,
  alias: string,
  version: number | null,
  followLatest: boolean,
  now: number,
): Promise<void> {
  const last = await trx
    .selectFrom("model_alias_history")
    .select((eb) => eb.fn.max("position").as("position"))
    .where("name", "=", name)
    .where("alias", "=", alias)
    .executeTakeFirst();
  await trx
    .insertInto("model_alias_history")
    .values({
      name,
      alias,
      position: Number(last?.position ?? 0) + 1,
      version,
      follow_latest: followLatest ? 1 : 0,
      changed_at: now,
    })
    .execute();
}

/**
 * Stores the next version of a model (creating the model at its first), moves the aliases that
 * follow the latest version to it, and returns the new version's number with the aliases it moved.
 * Run it in a transaction: a concurrent publish of the same model fails on the primary key and is
 * retried.
 */
export async function insertVersion(
  trx: Db,
  input: NewModelVersion,
  now: number,
): Promise<{ version: number; moved: string[] }> {
  const model = await trx
    .selectFrom("models")
    .select("latest_version")
    .where("name", "=", input.name)
    .executeTakeFirst();
  const version = (model?.latest_version ?? 0) + 1;
  if (model === undefined)
    await trx
      .insertInto("models")
      .values({ name: input.name, latest_version: version, created_at: now, updated_at: now })
      .execute();
  else
    await trx
      .updateTable("models")
      .set({ latest_version: version, updated_at: now })
      .where("name", "=", input.name)
      .execute();
  await trx
    .insertInto("model_versions")
    .values({
      name: input.name,
      version,
      created_at: now,
      run_id: input.runId ?? null,
      step: input.step ?? null,
      offset_json: input.offset === undefined ? null : JSON.stringify(input.offset),
      metrics: JSON.stringify(input.metrics),
      learn_version: input.learnVersion ?? null,
      description: input.description ?? null,
      size_bytes: input.sizeBytes,
      input_type: input.inputType,
      checkpoint: input.checkpoint,
    })
    .execute();
  const moved = await trx
    .updateTable("model_aliases")
    .set({ version, updated_at: now })
    .where("name", "=", input.name)
    .where("follow_latest", "=", 1)
    .returning("alias")
    .execute();
  for (const { alias } of moved) await appendHistory(trx, input.name, alias, version, true, now);
  return { version, moved: moved.map((m) => m.alias) };
}

/** Points an alias at a version (or at each new version), recording the change. */
export async function upsertAlias(
  trx: Db,
  name: string,
  alias: string,
  version: number,
  followLatest: boolean,
  now: number,
): Promise<void> {
  const follow = followLatest ? 1 : 0;
  await trx
    .insertInto("model_aliases")
    .values({ name, alias, version, follow_latest: follow, updated_at: now })
    .onConflict((oc) =>
      oc.columns(["name", "alias"]).doUpdateSet({ version, follow_latest: follow, updated_at: now }),
    )
    .execute();
  await appendHistory(trx, name, alias, version, followLatest, now);
  await trx.updateTable("models").set({ updated_at: now }).where("name", "=", name).execute();
}

/** Deletes an alias, recording the change; false when it did not exist. */
export async function deleteAlias(trx: Db, name: string, alias: string, now: number): Promise<boolean> {
  const deleted = await trx
    .deleteFrom("model_aliases")
    .where("name", "=", name)
    .where("alias", "=", alias)
    .executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) return false;
  await appendHistory(trx, name, alias, null, false, now);
  await trx.updateTable("models").set({ updated_at: now }).where("name", "=", name).execute();
  return true;
}

/** The changes of an alias, oldest first. */
export async function aliasHistory(db: Db, name: string, alias: string): Promise<ModelAliasChange[]> {
  const rows = await db
    .selectFrom("model_alias_history")
    .selectAll()
    .where("name", "=", name)
    .where("alias", "=", alias)
    .orderBy("position")
    .execute();
  return rows.map((r) => ({
    alias: r.alias,
    version: r.version,
    followLatest: r.follow_latest === 1,
    changedAt: iso(r.changed_at) ?? "",
  }));
}

/** Names of the models changed (published to or re-aliased) at or after `since`. */
export async function modelsChangedSince(
  db: Db,
  since: number,
): Promise<{ name: string; updatedAt: number }[]> {
  const rows = await db
    .selectFrom("models")
    .select(["name", "updated_at"])
    .where("updated_at", ">=", since)
    .execute();
  return rows.map((r) => ({ name: r.name, updatedAt: r.updated_at }));
}

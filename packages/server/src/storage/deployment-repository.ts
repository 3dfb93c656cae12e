import { randomUUID } from "node:crypto";

import type { DeploymentRecord, DeploymentVersion, Schedule, createDeploymentSchema } from "@weir/protocol";
import type { Kysely } from "kysely";
import type { z } from "zod";

import { iso } from "./cursor.js";
import type { Dialect } from "./database.js";
import type { Database, DeploymentsTable } from "./schema.js";

type Db = Kysely<Database>;
type CreateBody = z.output<typeof createDeploymentSchema>;

/** What a version fixes: every field of the create body but the name and `paused`. */
type DeploymentSpec = Omit<
  DeploymentRecord,
  "id" | "name" | "version" | "paused" | "createdAt" | "updatedAt"
>;

/** A deployment row with its spec parsed. */
export interface StoredDeployment {
  row: DeploymentsTable;
  record: DeploymentRecord;
}

/** The spec of a create body with every default applied, keys in one fixed order. */
function specOf(body: CreateBody): DeploymentSpec {
  return {
    flowName: body.flowName,
    entrypoint: body.entrypoint,
    workingDirectory: body.workingDirectory ?? null,
    parameters: body.parameters ?? {},
    parameterSchema: body.parameterSchema ?? null,
    tags: [...new Set(body.tags ?? [])],
    workPool: body.workPool ?? "default",
    description: body.description ?? null,
    schedule: body.schedule ?? null,
    concurrencyLimit: body.concurrencyLimit ?? null,
    restartPolicy: body.restartPolicy ?? {
      mode: "never",
      initialDelayMs: 1000,
      maxDelayMs: 60_000,
      maxRestarts: null,
    },
    timeoutSeconds: body.timeoutSeconds ?? null,
    lateAfterMs: body.lateAfterMs ?? 10_000,
  };
}

/** JSON with object keys sorted, so that two equal specs compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** Maps a row (and a version's spec) to the wire record. */
function toRecord(row: DeploymentsTable, spec: string = row.spec, version = row.version): DeploymentRecord {
  return {
    id: row.id,
    name: row.name,
    version,
    ...(JSON.parse(spec) as DeploymentSpec),
    paused: row.paused === 1,
    createdAt: iso(row.created_at) ?? "",
    updatedAt: iso(row.updated_at) ?? "",
  };
}

/** A deployment by id or name (locked for update on PostgreSQL when `lock`). */
export async function findDeployment(
  db: Db,
  idOrName: string,
  lock?: Dialect,
): Promise<StoredDeployment | undefined> {
  const byId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrName);
  let query = db
    .selectFrom("deployments")
    .selectAll()
    .where(byId ? "id" : "name", "=", idOrName);
  if (lock === "postgres") query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : { row, record: toRecord(row) };
}

/** What an upsert did: created a deployment, a new version of it, or nothing (same spec). */
type UpsertOutcome = "created" | "new-version" | "unchanged";

/**
 * Creates the deployment named in `body`, or a new version of it when its spec changed; an equal
 * spec changes nothing (but `paused`, when given). Call inside a transaction.
 */
export async function upsertDeployment(
  db: Db,
  dialect: Dialect,
  body: CreateBody,
  now: number,
): Promise<{ deployment: StoredDeployment; outcome: UpsertOutcome; previous: StoredDeployment | undefined }> {
  const spec = specOf(body);
  const specText = JSON.stringify(spec);
  const previous = await findDeployment(db, body.name, dialect);
  const columns = {
    spec: specText,
    work_pool: spec.workPool,
    concurrency_limit: spec.concurrencyLimit,
    late_after_ms: spec.lateAfterMs,
    schedule: spec.schedule === null ? null : JSON.stringify(spec.schedule),
  };
  if (previous === undefined) {
    const row: DeploymentsTable = {
      id: randomUUID(),
      name: body.name,
      version: 1,
      ...columns,
      paused: body.paused === true ? 1 : 0,
      scheduled_until: null,
      created_at: now,
      updated_at: now,
    };
    await db.insertInto("deployments").values(row).execute();
    await db
      .insertInto("deployment_versions")
      .values({ deployment_id: row.id, version: 1, spec: specText, created_at: now })
      .execute();
    return { deployment: { row, record: toRecord(row) }, outcome: "created", previous };
  }
  const same = canonical(JSON.parse(previous.row.spec)) === canonical(spec);
  const paused = body.paused === undefined ? previous.row.paused : body.paused ? 1 : 0;
  const row: DeploymentsTable = same
    ? paused === previous.row.paused
      ? previous.row
      : { ...previous.row, paused, scheduled_until: null, updated_at: now }
    : {
        ...previous.row,
        ...columns,
        paused,
        version: previous.row.version + 1,
        scheduled_until: null,
        updated_at: now,
      };
  if (!same)
    await db
      .insertInto("deployment_versions")
      .values({ deployment_id: row.id, version: row.version, spec: specText, created_at: now })
      .execute();
  if (!same || paused !== previous.row.paused)
    await db
      .updateTable("deployments")
      .set({
        ...columns,
        spec: row.spec,
        paused,
        version: row.version,
        scheduled_until: row.scheduled_until,
        updated_at: now,
      })
      .where("id", "=", row.id)
      .execute();
  return {
    deployment: { row, record: toRecord(row) },
    outcome: same ? "unchanged" : "new-version",
    previous,
  };
}

/** The spec of one version of a deployment (what its runs of that version were started with). */
export async function deploymentVersions(
  db: Db,
  keys: readonly { id: string; version: number }[],
): Promise<Map<string, DeploymentRecord>> {
  const found = new Map<string, DeploymentRecord>();
  const ids = [...new Set(keys.map((k) => k.id))];
  if (ids.length === 0) return found;
  const rows = await db.selectFrom("deployments").selectAll().where("id", "in", ids).execute();
  const versions = await db
    .selectFrom("deployment_versions")
    .selectAll()
    .where("deployment_id", "in", ids)
    .where("version", "in", [...new Set(keys.map((k) => k.version))])
    .execute();
  for (const v of versions) {
    const row = rows.find((r) => r.id === v.deployment_id);
    if (row !== undefined) found.set(`${v.deployment_id}/${v.version}`, toRecord(row, v.spec, v.version));
  }
  return found;
}

type Change = DeploymentVersion["changes"][number];
const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** The fields that differ between two specs: nested objects by dotted path, anything else whole. */
function changesBetween(before: unknown, after: unknown, path: string, out: Change[]): Change[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) changesBetween(before[key], after[key], path ? `${path}.${key}` : key, out);
  } else if (canonical(before) !== canonical(after))
    out.push({
      field: path,
      ...(before !== undefined ? { from: before } : {}),
      ...(after !== undefined ? { to: after } : {}),
    });
  return out;
}

/**
 * A deployment's stored versions, newest first: `limit` of them older than `before`, each with
 * its spec and its changes from the version before it.
 */
export async function listDeploymentVersions(
  db: Db,
  deploymentId: string,
  page: { limit: number; before?: number | undefined },
): Promise<DeploymentVersion[]> {
  let query = db
    .selectFrom("deployment_versions")
    .selectAll()
    .where("deployment_id", "=", deploymentId)
    .orderBy("version", "desc")
    .limit(page.limit + 1);
  if (page.before !== undefined) query = query.where("version", "<", page.before);
  const rows = await query.execute();
  const specs = rows.map((r) => JSON.parse(r.spec) as DeploymentSpec);
  return rows.slice(0, page.limit).map((r, i) => ({
    version: r.version,
    createdAt: iso(r.created_at) ?? "",
    spec: specs[i]!,
    // The previous stored version (versions are never deleted one by one, so it is the next row).
    changes: specs[i + 1] === undefined ? [] : changesBetween(specs[i + 1], specs[i], "", []),
  }));
}

/** The schedule of a row, parsed. */
export function scheduleOf(row: DeploymentsTable): Schedule | null {
  return row.schedule === null ? null : (JSON.parse(row.schedule) as Schedule);
}

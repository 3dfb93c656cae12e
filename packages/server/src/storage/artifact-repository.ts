import { randomUUID } from "node:crypto";

import type { Artifact, createArtifactSchema } from "@weir/protocol";
import type { Kysely } from "kysely";
import type { z } from "zod";

import { iso } from "./cursor.js";
import type { ArtifactsTable, Database } from "./schema.js";

type Db = Kysely<Database>;
type NewArtifact = z.output<typeof createArtifactSchema>;

function toArtifact(row: ArtifactsTable): Artifact {
  return {
    id: row.id,
    key: row.key,
    version: row.version,
    runId: row.run_id,
    type: row.type as Artifact["type"],
    data: JSON.parse(row.data) as unknown,
    description: row.description,
    createdAt: iso(row.created_at) ?? "",
  };
}

/** Stores an artifact; a keyed one gets the next version of its key. Call inside a transaction. */
export async function insertArtifact(
  db: Db,
  runId: string,
  input: NewArtifact,
  now: number,
): Promise<Artifact> {
  let version = 1;
  if (input.key !== undefined) {
    const last = await db
      .selectFrom("artifacts")
      .select((eb) => eb.fn.max("version").as("v"))
      .where("key", "=", input.key)
      .executeTakeFirst();
    version = Number(last?.v ?? 0) + 1;
  }
  const row: ArtifactsTable = {
    id: randomUUID(),
    key: input.key ?? null,
    version,
    run_id: runId,
    type: input.type,
    data: JSON.stringify(input.data),
    description: input.description ?? null,
    created_at: now,
  };
  await db.insertInto("artifacts").values(row).execute();
  return toArtifact(row);
}

/** A run's artifacts, oldest first. */
export async function listRunArtifacts(db: Db, runId: string): Promise<Artifact[]> {
  const rows = await db
    .selectFrom("artifacts")
    .selectAll()
    .where("run_id", "=", runId)
    .orderBy("created_at")
    .orderBy("version")
    .execute();
  return rows.map(toArtifact);
}

/** Every version of a keyed artifact, newest first (`limit` 1 for the latest). */
export async function listArtifactVersions(db: Db, key: string, limit: number): Promise<Artifact[]> {
  const rows = await db
    .selectFrom("artifacts")
    .selectAll()
    .where("key", "=", key)
    .orderBy("version", "desc")
    .limit(limit)
    .execute();
  return rows.map(toArtifact);
}

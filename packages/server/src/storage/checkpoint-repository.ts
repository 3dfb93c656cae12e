import type { Checkpoint } from "@weir/protocol";
import type { Kysely } from "kysely";

import { iso } from "./cursor.js";
import type { Database } from "./schema.js";

type Db = Kysely<Database>;

/** A stored checkpoint, or undefined. */
export async function getCheckpoint(db: Db, scope: string, key: string): Promise<Checkpoint | undefined> {
  const row = await db
    .selectFrom("checkpoints")
    .selectAll()
    .where("scope", "=", scope)
    .where("key", "=", key)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    scope,
    key,
    value: JSON.parse(row.value) as unknown,
    version: row.version,
    updatedAt: iso(row.updated_at) ?? "",
  };
}

/** The outcome of a conditional write. */
export type PutOutcome = { ok: true; checkpoint: Checkpoint } | { ok: false; currentVersion: number };

/**
 * Writes a checkpoint in one statement (so a reader sees the old or the new value, never a mix).
 * With `expectedVersion` the write only happens when the stored version matches (`0` = absent).
 */
export async function putCheckpoint(
  db: Db,
  scope: string,
  key: string,
  value: unknown,
  expectedVersion: number | undefined,
  now: number,
): Promise<PutOutcome> {
  const text = JSON.stringify(value);
  const done = (version: number): PutOutcome => ({
    ok: true,
    checkpoint: { scope, key, value, version, updatedAt: iso(now) ?? "" },
  });
  if (expectedVersion === undefined) {
    const row = await db
      .insertInto("checkpoints")
      .values({ scope, key, value: text, version: 1, updated_at: now })
      .onConflict((oc) =>
        oc.columns(["scope", "key"]).doUpdateSet((eb) => ({
          value: eb.ref("excluded.value"),
          version: eb("checkpoints.version", "+", 1),
          updated_at: eb.ref("excluded.updated_at"),
        })),
      )
      .returning("version")
      .executeTakeFirstOrThrow();
    return done(row.version);
  }
  if (expectedVersion === 0) {
    const row = await db
      .insertInto("checkpoints")
      .values({ scope, key, value: text, version: 1, updated_at: now })
      .onConflict((oc) => oc.columns(["scope", "key"]).doNothing())
      .returning("version")
      .executeTakeFirst();
    if (row !== undefined) return done(row.version);
  } else {
    const row = await db
      .updateTable("checkpoints")
      .set((eb) => ({ value: text, version: eb("version", "+", 1), updated_at: now }))
      .where("scope", "=", scope)
      .where("key", "=", key)
      .where("version", "=", expectedVersion)
      .returning("version")
      .executeTakeFirst();
    if (row !== undefined) return done(row.version);
  }
  const current = await db
    .selectFrom("checkpoints")
    .select("version")
    .where("scope", "=", scope)
    .where("key", "=", key)
    .executeTakeFirst();
  return { ok: false, currentVersion: current?.version ?? 0 };
}

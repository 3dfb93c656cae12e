import { CompiledQuery } from "kysely";
import type { Kysely } from "kysely";

import type { Database } from "./schema.js";

type Table = "logs" | "metrics";

/**
 * Rows per INSERT statement. A batch is cut greedily into these sizes, so that whatever the batch
 * sizes clients send, only a few distinct statements exist (each built once, prepared once).
 */
const SIZES = [1000, 500, 250, 100, 50, 25, 10, 5, 1] as const;

/** Splits `n` rows into chunk lengths from {@link SIZES}, largest first. */
export function chunkLengths(n: number): number[] {
  const out: number[] = [];
  let left = n;
  for (const size of SIZES)
    while (left >= size) {
      out.push(size);
      left -= size;
    }
  return out;
}

const cache = new Map<string, string>();

/**
 * Inserts rows of a table keyed by (run_id, seq), skipping pairs already stored. Kysely builds the
 * SQL of each chunk size once; later chunks reuse its text with fresh parameters, which saves
 * rebuilding and recompiling a 7,000-parameter statement for every 1,000 log lines.
 * Returns the inserted count, and the inserted rows when `wantRows`.
 */
export async function insertIgnoringDuplicates<T extends Table, R extends Database[T]>(
  db: Kysely<Database>,
  dialect: string,
  table: T,
  columns: readonly (keyof R & string)[],
  rows: readonly R[],
  wantRows: boolean,
): Promise<{ inserted: number; rows: R[] }> {
  let inserted = 0;
  const out: R[] = [];
  let offset = 0;
  for (const length of chunkLengths(rows.length)) {
    const chunk = rows.slice(offset, offset + length);
    offset += length;
    const parameters: unknown[] = [];
    for (const row of chunk) for (const column of columns) parameters.push(row[column]);
    const key = `${dialect}:${table}:${chunk.length}:${wantRows}`;
    let sqlText = cache.get(key);
    if (sqlText === undefined) {
      const insert = (db as unknown as Kysely<Record<Table, Record<string, unknown>>>)
        .insertInto(table)
        .values(chunk.map((row) => Object.fromEntries(columns.map((c) => [c, row[c]]))) as never)
        .onConflict((oc) => oc.columns(["run_id", "seq"] as never).doNothing());
      const compiled = wantRows ? insert.returning(["run_id", "seq"] as never).compile() : insert.compile();
      sqlText = compiled.sql;
      cache.set(key, sqlText);
    }
    const result = await db.executeQuery<{ run_id: string; seq: number }>(
      CompiledQuery.raw(sqlText, parameters),
    );
    if (wantRows) {
      inserted += result.rows.length;
      const stored = new Set(result.rows.map((k) => `${k.run_id}:${k.seq}`));
      for (const row of chunk) if (stored.has(`${String(row.run_id)}:${String(row.seq)}`)) out.push(row);
    } else inserted += Number(result.numAffectedRows ?? 0);
  }
  return { inserted, rows: out };
}

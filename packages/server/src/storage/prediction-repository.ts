import { CompiledQuery } from "kysely";
import type { Kysely, Selectable } from "kysely";

import type { Database, ModelPredictionsTable } from "./schema.js";

type Db = Kysely<Database>;

/** A stored prediction. */
export type PredictionRow = Selectable<ModelPredictionsTable>;

/** A prediction to store: its input, label and probabilities already as JSON text. */
export type NewPrediction = Pick<
  PredictionRow,
  "id" | "name" | "version" | "input" | "label" | "probabilities" | "created_at"
>;

/** The columns written per prediction (`true_label` and `labelled_at` are null until a label comes). */
const COLUMNS = "id, name, version, input, label, probabilities, created_at, true_label, labelled_at";
const PARAMETERS = 7;

/**
 * Rows per INSERT (7 parameters each, under both engines' limits). A batch is cut greedily into
 * these sizes so that only a few statement texts exist, each prepared once.
 */
const CHUNKS = [500, 100, 20, 5, 1] as const;

const statements = new Map<string, string>();

/** `insert … values (…), … on conflict (id) do nothing` for `rows` rows. */
function insertSql(rows: number, dialect: string): string {
  const key = `${dialect}:${rows}`;
  let text = statements.get(key);
  if (text === undefined) {
    let n = 0;
    const p = () => (dialect === "postgres" ? `$${++n}` : "?");
    const tuple = () => `(${Array.from({ length: PARAMETERS }, p).join(", ")}, null, null)`;
    const values = Array.from({ length: rows }, tuple).join(", ");
    text = `insert into model_predictions (${COLUMNS}) values ${values} on conflict (id) do nothing`;
    statements.set(key, text);
  }
  return text;
}

/** Stores predictions, many per statement; a prediction already stored is skipped. */
export async function insertPredictions(
  db: Db,
  dialect: string,
  rows: readonly NewPrediction[],
): Promise<void> {
  let start = 0;
  for (const size of CHUNKS)
    for (; rows.length - start >= size; start += size) {
      const parameters = new Array<unknown>(size * PARAMETERS);
      let k = 0;
      for (let i = start; i < start + size; i++) {
        const row = rows[i] as NewPrediction;
        parameters[k++] = row.id;
        parameters[k++] = row.name;
        parameters[k++] = row.version;
        parameters[k++] = row.input;
        parameters[k++] = row.label;
        parameters[k++] = row.probabilities;
        parameters[k++] = row.created_at;
      }
      await db.executeQuery(CompiledQuery.raw(insertSql(size, dialect), parameters));
    }
}

/** The predictions of model `name` among `ids` made at or after `since`. */
export async function findPredictions(
  db: Db,
  name: string,
  ids: readonly string[],
  since: number,
): Promise<PredictionRow[]> {
  if (ids.length === 0) return [];
  const out: PredictionRow[] = [];
  for (let start = 0; start < ids.length; start += 1000) {
    const rows = await db
      .selectFrom("model_predictions")
      .selectAll()
      .where("id", "in", ids.slice(start, start + 1000))
      .where("name", "=", name)
      .where("created_at", ">=", since)
      .execute();
    out.push(...rows);
  }
  return out;
}

/** Records the true label of a prediction (the first one received wins, like the feedback topic). */
export async function recordLabel(db: Db, id: string, trueLabel: string, now: number): Promise<void> {
  await db
    .updateTable("model_predictions")
    .set({ true_label: trueLabel, labelled_at: now })
    .where("id", "=", id)
    .where("labelled_at", "is", null)
    .execute();
}

/** The labelled predictions of a model whose labels arrived at or after `since`, by label time. */
export async function labelledSince(
  db: Db,
  name: string,
  since: number,
): Promise<Pick<PredictionRow, "version" | "label" | "true_label" | "labelled_at">[]> {
  return db
    .selectFrom("model_predictions")
    .select(["version", "label", "true_label", "labelled_at"])
    .where("name", "=", name)
    .where("labelled_at", ">=", since)
    .orderBy("labelled_at")
    .limit(1_000_000)
    .execute();
}

/** Deletes up to `limit` predictions made before `cutoff`; returns how many. */
export async function deletePredictionsBefore(db: Db, cutoff: number, limit: number): Promise<number> {
  const ids = await db
    .selectFrom("model_predictions")
    .select("id")
    .where("created_at", "<", cutoff)
    .limit(limit)
    .execute();
  if (ids.length === 0) return 0;
  const result = await db
    .deleteFrom("model_predictions")
    .where(
      "id",
      "in",
      ids.map((r) => r.id),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

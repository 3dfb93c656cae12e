import { TOTAL_CAP } from "@weir/protocol";
import { sql } from "kysely";
import type { Kysely, SelectQueryBuilder } from "kysely";

import type { Database } from "./schema.js";

/** Counts up to TOTAL_CAP + 1 matches: enough to say "10,000+" without a full COUNT(*). */
export async function cappedCount<TB extends keyof Database, O>(
  db: Kysely<Database>,
  inner: SelectQueryBuilder<Database, TB, O>,
): Promise<{ total: number; totalCapped: boolean }> {
  const row = await db
    .selectFrom(
      inner
        .select(sql<number>`1`.as("one"))
        .limit(TOTAL_CAP + 1)
        .as("t"),
    )
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirst();
  const n = Number(row?.n ?? 0);
  return { total: Math.min(n, TOTAL_CAP), totalCapped: n > TOTAL_CAP };
}

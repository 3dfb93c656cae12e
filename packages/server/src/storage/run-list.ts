import type { Page, Run, runListQuerySchema } from "@weir/protocol";
import { sql } from "kysely";
import type { Kysely, SelectQueryBuilder } from "kysely";
import type { z } from "zod";

import { cappedCount } from "./capped-count.js";
import { decodeCursor, encodeCursor, likePattern } from "./cursor.js";
import type { Dialect } from "./database.js";
import { toRun } from "./run-rows.js";
import type { Database } from "./schema.js";

type Db = Kysely<Database>;
type RunListQuery = z.output<typeof runListQuerySchema>;
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- Kysely's "nothing selected yet"
type From = SelectQueryBuilder<Database, "runs" | "run_tags", {}>;

/**
 * Where a list reads from. With a tag (and a time order) the tag's index `(tag, sort_time, run_id)`
 * drives the query and each hit is joined to its run, so a common tag and a rare one are both a
 * short index walk. Otherwise the runs table and its `(kind, …, sort_time, id)` indices.
 */
function source(db: Db, q: RunListQuery, byDuration: boolean): { from: From; time: string; id: string } {
  if (q.tag !== undefined && !byDuration)
    return {
      from: db
        .selectFrom("run_tags")
        .innerJoin("runs", "runs.id", "run_tags.run_id")
        .where("run_tags.tag", "=", q.tag),
      time: "run_tags.sort_time",
      id: "run_tags.run_id",
    };
  // Without the join only runs.* columns are referenced; the wider type lets one filter serve both.
  let from = db.selectFrom("runs") as unknown as From;
  const tag = q.tag;
  if (tag !== undefined)
    from = from.where((eb) =>
      eb.exists(
        db
          .selectFrom("run_tags as t")
          .select(sql<number>`1`.as("one"))
          .where("t.run_id", "=", sql.ref<string>("runs.id"))
          .where("t.tag", "=", tag),
      ),
    );
  return { from, time: "runs.sort_time", id: "runs.id" };
}

function applyFilters(
  from: From,
  q: RunListQuery,
  time: string,
  byDuration: boolean,
  like: "like" | "ilike",
): From {
  let out = from.where("runs.kind", "=", q.kind);
  if (q.state !== undefined && q.state.length > 0) out = out.where("runs.state", "in", q.state);
  if (q.flow !== undefined) out = out.where("runs.flow_name", "=", q.flow);
  if (q.since !== undefined) out = out.where(sql.ref(time), ">=", Date.parse(q.since));
  if (q.until !== undefined) out = out.where(sql.ref(time), "<=", Date.parse(q.until));
  if (q.parentRunId !== undefined) out = out.where("runs.parent_run_id", "=", q.parentRunId);
  if (q.flowRunId !== undefined) out = out.where("runs.flow_run_id", "=", q.flowRunId);
  if (q.deploymentId !== undefined) out = out.where("runs.deployment_id", "=", q.deploymentId);
  // Sorting by duration lists the runs that have one (finished runs), by the (kind, duration) index.
  if (byDuration) out = out.where("runs.duration_ms", "is not", null);
  if (q.q !== undefined && q.q !== "") {
    const pattern = likePattern(q.q);
    out = out.where((eb) =>
      eb.or([
        eb("runs.name", like, sql<string>`${pattern} escape '\\'`),
        eb("runs.flow_name", like, sql<string>`${pattern} escape '\\'`),
      ]),
    );
  }
  return out;
}

/**
 * One page of runs, newest first by default, by keyset on (sort key, id): every page costs the
 * same index walk, whatever its depth. `total` is counted up to 10,000.
 */
export async function listRuns(db: Db, q: RunListQuery, dialect: Dialect): Promise<Page<Run>> {
  const byDuration = q.sort.startsWith("duration");
  const desc = q.sort.endsWith("desc");
  const { from, time, id } = source(db, q, byDuration);
  // q= is case-insensitive on both engines (SQLite's LIKE is; PostgreSQL needs ILIKE).
  const filtered = applyFilters(from, q, time, byDuration, dialect === "postgres" ? "ilike" : "like");
  const key = sql.ref<number>(byDuration ? "runs.duration_ms" : time);
  const idRef = sql.ref<string>(id);
  let page = filtered.selectAll("runs");
  if (q.cursor !== undefined) {
    const [value, after] = decodeCursor(q.cursor);
    page = page.where((eb) =>
      eb(eb.tuple(key, idRef), desc ? "<" : ">", eb.tuple(value ?? 0, String(after))),
    );
  }
  const rows = await page
    .orderBy(key, desc ? "desc" : "asc")
    .orderBy(idRef, desc ? "desc" : "asc")
    .limit(q.limit + 1)
    .execute();
  const more = rows.length > q.limit;
  const items = (more ? rows.slice(0, q.limit) : rows).map(toRun);
  const last = more ? rows[q.limit - 1] : undefined;
  const nextCursor =
    last === undefined ? null : encodeCursor(byDuration ? last.duration_ms : last.sort_time, last.id);
  // A first page that holds everything is its own count (saves a second scan for searches).
  const counted =
    q.cursor === undefined && !more
      ? { total: items.length, totalCapped: false }
      : await cappedCount(db, filtered);
  return { items, nextCursor, ...counted };
}

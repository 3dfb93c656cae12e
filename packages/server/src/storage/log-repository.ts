import { LOG_LEVELS, LOG_LEVEL_NUMBERS } from "@weir/protocol";
import type { LogLevel, LogLine, Page, logInputSchema, logQuerySchema } from "@weir/protocol";
import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { z } from "zod";

import { decodeCursor, encodeCursor, iso, likePattern } from "./cursor.js";
import type { Dialect } from "./database.js";
import { insertIgnoringDuplicates } from "./batch-insert.js";
import { cappedCount } from "./capped-count.js";
import type { Database, LogsTable } from "./schema.js";
import { withoutNul } from "./text.js";

type Db = Kysely<Database>;
type LogInput = z.output<typeof logInputSchema>;
type LogQuery = z.output<typeof logQuerySchema>;

const LEVEL_BY_NUMBER = new Map<number, LogLevel>(LOG_LEVELS.map((l) => [LOG_LEVEL_NUMBERS[l], l]));

/** Maps a `logs` row to the wire shape. */
export function toLogLine(row: LogsTable): LogLine {
  return {
    runId: row.run_id,
    seq: row.seq,
    level: LEVEL_BY_NUMBER.get(row.level_no) ?? "info",
    levelNo: row.level_no,
    message: row.message,
    fields: row.fields === null ? null : (JSON.parse(row.fields) as Record<string, unknown>),
    timestamp: iso(row.timestamp) ?? "",
    taskRunId: row.task_run_id,
  };
}

/** Converts validated input lines to rows (`now` stands in for a missing timestamp). */
export function toLogRows(lines: readonly LogInput[], now: number): LogsTable[] {
  return lines.map((l) => ({
    run_id: l.runId,
    seq: l.seq,
    level_no: LOG_LEVEL_NUMBERS[l.level],
    message: withoutNul(l.message),
    fields: l.fields === undefined ? null : JSON.stringify(l.fields),
    timestamp: l.timestamp === undefined ? now : Date.parse(l.timestamp),
    task_run_id: l.taskRunId ?? null,
  }));
}

const LOG_COLUMNS = ["run_id", "seq", "level_no", "message", "fields", "timestamp", "task_run_id"] as const;

/**
 * Inserts log rows, ignoring (run, seq) pairs already stored. Returns the inserted rows when
 * `wantRows` (for the live channel), else only their count.
 */
export function insertLogs(
  db: Db,
  dialect: string,
  rows: readonly LogsTable[],
  wantRows: boolean,
): Promise<{ inserted: number; rows: LogsTable[] }> {
  return insertIgnoringDuplicates(db, dialect, "logs", LOG_COLUMNS, rows, wantRows);
}

type LogScope = { runId?: string; taskRunId?: string };
type LogFilter = Pick<LogQuery, "level" | "q">;

/** The logs of a scope (a run, or a task run's own) that pass the level and text filters. */
function filteredLogs(db: Db, scope: LogScope, q: LogFilter, dialect: Dialect) {
  let query = db.selectFrom("logs");
  if (scope.runId !== undefined) query = query.where("run_id", "=", scope.runId);
  if (scope.taskRunId !== undefined) query = query.where("task_run_id", "=", scope.taskRunId);
  if (q.level !== undefined) query = query.where("level_no", ">=", LOG_LEVEL_NUMBERS[q.level]);
  if (q.q !== undefined && q.q !== "")
    query = query.where(
      "message",
      dialect === "postgres" ? "ilike" : "like",
      sql<string>`${likePattern(q.q)} escape '\\'`,
    );
  return query;
}

/** One page of a run's logs (or a task run's, by `taskRunId`), by keyset on seq. */
export async function listLogs(
  db: Db,
  scope: LogScope,
  q: LogQuery,
  dialect: Dialect,
): Promise<Page<LogLine>> {
  const filtered = () => filteredLogs(db, scope, q, dialect);
  const desc = q.order === "desc";
  let page = filtered().selectAll();
  if (q.cursor !== undefined) {
    const [, seq] = decodeCursor(q.cursor);
    page = page.where("seq", desc ? "<" : ">", Number(seq));
  }
  const rows = await page
    .orderBy("seq", desc ? "desc" : "asc")
    .limit(q.limit + 1)
    .execute();
  const more = rows.length > q.limit;
  const kept = more ? rows.slice(0, q.limit) : rows;
  const last = kept[kept.length - 1];
  const nextCursor = more && last !== undefined ? encodeCursor(null, last.seq) : null;
  const counted =
    q.cursor === undefined && !more
      ? { total: kept.length, totalCapped: false }
      : await cappedCount(db, filtered());
  return { items: kept.map(toLogLine), nextCursor, ...counted };
}

/** How many lines a download reads per query. */
const DOWNLOAD_PAGE = 5000;

/** How many lines pass the filters: exactly, for a download's progress. */
export async function countLogs(db: Db, scope: LogScope, q: LogFilter, dialect: Dialect): Promise<number> {
  const row = await filteredLogs(db, scope, q, dialect)
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Every line that passes the filters, oldest first, as text lines
 * (`<ISO time> <LEVEL padded to 8> <message> <fields as JSON>`), read page by page by keyset, so
 * that a million lines stream with the memory of one page.
 */
export async function* logText(
  db: Db,
  scope: LogScope,
  q: LogFilter,
  dialect: Dialect,
): AsyncGenerator<string> {
  let after = -1;
  for (;;) {
    const rows = await filteredLogs(db, scope, q, dialect)
      .selectAll()
      .where("seq", ">", after)
      .orderBy("seq", "asc")
      .limit(DOWNLOAD_PAGE)
      .execute();
    let text = "";
    for (const row of rows) {
      const level = (LEVEL_BY_NUMBER.get(row.level_no) ?? "info").toUpperCase().padEnd(8);
      const fields = row.fields === null || row.fields === "{}" ? "" : ` ${row.fields}`;
      text += `${iso(row.timestamp) ?? ""} ${level} ${row.message}${fields}\n`;
    }
    if (text) yield text;
    const last = rows.at(-1);
    if (last === undefined || rows.length < DOWNLOAD_PAGE) return;
    after = last.seq;
  }
}

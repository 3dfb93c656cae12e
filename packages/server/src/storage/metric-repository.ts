import type { MetricSeries, metricInputSchema } from "@weir/protocol";
import type { Kysely } from "kysely";
import type { z } from "zod";

import { insertIgnoringDuplicates } from "./batch-insert.js";
import { iso } from "./cursor.js";
import type { Database, MetricsTable } from "./schema.js";

type Db = Kysely<Database>;
type MetricInput = z.output<typeof metricInputSchema>;

/** Converts validated points to rows. */
export function toMetricRows(points: readonly MetricInput[], now: number): MetricsTable[] {
  return points.map((p) => ({
    run_id: p.runId,
    seq: p.seq,
    name: p.name,
    value: p.value,
    step: p.step ?? null,
    timestamp: p.timestamp === undefined ? now : Date.parse(p.timestamp),
  }));
}

const METRIC_COLUMNS = ["run_id", "seq", "name", "value", "step", "timestamp"] as const;

/** Inserts metric rows, ignoring (run, seq) pairs already stored. */
export function insertMetrics(
  db: Db,
  dialect: string,
  rows: readonly MetricsTable[],
  wantRows: boolean,
): Promise<{ inserted: number; rows: MetricsTable[] }> {
  return insertIgnoringDuplicates(db, dialect, "metrics", METRIC_COLUMNS, rows, wantRows);
}

/** A run's series (all, or one by name), each its latest `maxPoints` points in seq order. */
export async function listSeries(
  db: Db,
  runId: string,
  name: string | undefined,
  maxPoints: number,
): Promise<MetricSeries[]> {
  const names =
    name !== undefined
      ? [name]
      : (
          await db
            .selectFrom("metrics")
            .select("name")
            .distinct()
            .where("run_id", "=", runId)
            .orderBy("name")
            .execute()
        ).map((r) => r.name);
  const series: MetricSeries[] = [];
  for (const n of names) {
    const rows = await db
      .selectFrom("metrics")
      .select(["step", "value", "timestamp"])
      .where("run_id", "=", runId)
      .where("name", "=", n)
      .orderBy("seq", "desc")
      .limit(maxPoints)
      .execute();
    if (rows.length === 0) continue;
    rows.reverse();
    series.push({
      name: n,
      points: rows.map((r) => ({ step: r.step, value: r.value, timestamp: iso(r.timestamp) ?? "" })),
    });
  }
  return series;
}

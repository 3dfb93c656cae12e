import { Migrator, sql } from "kysely";
import type { Kysely, Migration, MigrationProvider, RawBuilder } from "kysely";

import { modelsMigration } from "./model-migration.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against a schema they create */

function initial(dialect: "sqlite" | "postgres"): Migration {
  // On SQLite the high-volume tables are clustered by (run_id, seq): one b-tree per row written
  // instead of a table plus a primary-key index.
  const clustered = <T extends { modifyEnd(m: RawBuilder<unknown>): T }>(builder: T): T =>
    dialect === "sqlite" ? builder.modifyEnd(sql`without rowid`) : builder;
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("runs")
        .addColumn("id", "varchar(36)", (c) => c.primaryKey())
        .addColumn("kind", "varchar(8)", (c) => c.notNull())
        .addColumn("flow_name", "text", (c) => c.notNull())
        .addColumn("task_name", "text")
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("parent_run_id", "varchar(36)")
        .addColumn("flow_run_id", "varchar(36)")
        .addColumn("parameters", "text", (c) => c.notNull())
        .addColumn("tags", "text", (c) => c.notNull())
        .addColumn("version", "text")
        .addColumn("state", "varchar(16)", (c) => c.notNull())
        .addColumn("state_message", "text")
        .addColumn("state_time", "bigint", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("sort_time", "bigint", (c) => c.notNull())
        .addColumn("start_time", "bigint")
        .addColumn("end_time", "bigint")
        .addColumn("duration_ms", "bigint")
        .addColumn("run_count", "integer", (c) => c.notNull())
        .addColumn("heartbeat_interval_ms", "bigint")
        .addColumn("last_heartbeat_at", "bigint")
        .execute();
      // Every list is "newest first within a filter": one composite index per filter.
      await db.schema.createIndex("runs_kind_time").on("runs").columns(["kind", "sort_time", "id"]).execute();
      await db.schema
        .createIndex("runs_kind_state_time")
        .on("runs")
        .columns(["kind", "state", "sort_time", "id"])
        .execute();
      await db.schema
        .createIndex("runs_kind_flow_time")
        .on("runs")
        .columns(["kind", "flow_name", "sort_time", "id"])
        .execute();
      await db.schema
        .createIndex("runs_kind_duration")
        .on("runs")
        .columns(["kind", "duration_ms", "id"])
        .execute();
      await db.schema.createIndex("runs_flow_run").on("runs").columns(["flow_run_id", "sort_time"]).execute();
      await db.schema
        .createIndex("runs_parent_run")
        .on("runs")
        .columns(["parent_run_id", "sort_time"])
        .execute();
      await db.schema.createIndex("runs_end_time").on("runs").columns(["end_time"]).execute();

      await db.schema
        .createTable("run_states")
        .addColumn("id", "varchar(36)", (c) => c.primaryKey())
        .addColumn("run_id", "varchar(36)", (c) => c.notNull())
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("type", "varchar(16)", (c) => c.notNull())
        .addColumn("message", "text")
        .addColumn("timestamp", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("run_states_run")
        .on("run_states")
        .columns(["run_id", "position"])
        .execute();

      await db.schema
        .createTable("run_tags")
        .addColumn("run_id", "varchar(36)", (c) => c.notNull())
        .addColumn("tag", "text", (c) => c.notNull())
        .addColumn("sort_time", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("run_tags_pk", ["run_id", "tag"])
        .execute();
      await db.schema.createIndex("run_tags_tag").on("run_tags").columns(["tag", "sort_time"]).execute();

      await db.schema
        .createTable("logs")
        .addColumn("run_id", "varchar(36)", (c) => c.notNull())
        .addColumn("seq", "bigint", (c) => c.notNull())
        .addColumn("level_no", "integer", (c) => c.notNull())
        .addColumn("message", "text", (c) => c.notNull())
        .addColumn("fields", "text")
        .addColumn("timestamp", "bigint", (c) => c.notNull())
        .addColumn("task_run_id", "varchar(36)")
        .addPrimaryKeyConstraint("logs_pk", ["run_id", "seq"])
        .$call(clustered)
        .execute();
      // Most lines belong to no task run: a partial index costs them nothing.
      await db.schema
        .createIndex("logs_task_run")
        .on("logs")
        .columns(["task_run_id", "seq"])
        .where("task_run_id", "is not", null)
        .execute();

      await db.schema
        .createTable("metrics")
        .addColumn("run_id", "varchar(36)", (c) => c.notNull())
        .addColumn("seq", "bigint", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("value", "double precision", (c) => c.notNull())
        .addColumn("step", "bigint")
        .addColumn("timestamp", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("metrics_pk", ["run_id", "seq"])
        .$call(clustered)
        .execute();
      await db.schema
        .createIndex("metrics_run_name")
        .on("metrics")
        .columns(["run_id", "name", "seq"])
        .execute();

      await db.schema
        .createTable("artifacts")
        .addColumn("id", "varchar(36)", (c) => c.primaryKey())
        .addColumn("key", "text")
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("run_id", "varchar(36)", (c) => c.notNull())
        .addColumn("type", "varchar(16)", (c) => c.notNull())
        .addColumn("data", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("artifacts_key_version")
        .on("artifacts")
        .columns(["key", "version"])
        .unique()
        .execute();
      await db.schema
        .createIndex("artifacts_run")
        .on("artifacts")
        .columns(["run_id", "created_at"])
        .execute();

      await db.schema
        .createTable("checkpoints")
        .addColumn("scope", "text", (c) => c.notNull())
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("checkpoints_pk", ["scope", "key"])
        .execute();

      await db.schema
        .createTable("flows")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("run_count", "bigint", (c) => c.notNull())
        .addColumn("last_run_id", "varchar(36)")
        .addColumn("last_run_at", "bigint")
        .execute();
    },
  };
}

/** A tag's runs in time order with the run id in the index: the tag filter walks it, no sort. */
const tagIndexWithRun: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.dropIndex("run_tags_tag").execute();
    await db.schema
      .createIndex("run_tags_tag_time")
      .on("run_tags")
      .columns(["tag", "sort_time", "run_id"])
      .execute();
  },
};

const runDescription: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable("runs").addColumn("description", "text").execute();
  },
};

/**
 * Who set a state: `server` for the liveness check's Crashed verdict (a guess from silence, which a
 * later word of the client may overturn), null for everything proposed through the API. Verdicts
 * stored before this column existed are recognised by their messages, so runs already stuck in a
 * wrong Crashed can still be put right by a spool replay or a heartbeat.
 */
const stateOrigin: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable("run_states").addColumn("origin", "varchar(8)").execute();
    await sql`
      update run_states set origin = 'server'
      where type = 'Crashed'
        and (message like 'No heartbeat for %' or message like 'Its flow run % crashed.')
    `.execute(db);
  },
};

/**
 * The runs a worker may claim (unclaimed runs of a deployment that wait to start), as the partial
 * index `runs_claimable` states it: the claim query repeats this exact text, so that SQLite, which
 * matches partial-index conditions textually, uses the index.
 */
export const CLAIMABLE_RUNS =
  "worker_id is null and deployment_id is not null and state in ('Scheduled', 'Late', 'Pending')";

/**
 * Deployments, schedules, workers and cancel (issue 13): the runs gain their deployment, pool,
 * worker, slot and links; one run per (deployment, slot) is the database's guarantee that replicas
 * never schedule a slot twice, and one restart per run that no run is restarted twice.
 */
const deployments: Migration = {
  async up(db: Kysely<any>) {
    // One column per statement: SQLite adds a single column per ALTER TABLE.
    const columns: [string, "varchar(36)" | "integer" | "text" | "bigint" | "double precision"][] = [
      ["deployment_id", "varchar(36)"],
      ["deployment_version", "integer"],
      ["work_pool", "text"],
      ["worker_id", "varchar(36)"],
      ["scheduled_for", "bigint"],
      ["slot", "bigint"],
      ["restart_of", "varchar(36)"],
      ["retry_of", "varchar(36)"],
      ["cancel_requested_at", "bigint"],
      ["timeout_seconds", "double precision"],
      ["claimed_at", "bigint"],
    ];
    for (const [name, type] of columns) await db.schema.alterTable("runs").addColumn(name, type).execute();
    await db.schema
      .alterTable("runs")
      .addColumn("restart_count", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex("runs_deployment_slot")
      .on("runs")
      .columns(["deployment_id", "slot"])
      .unique()
      .execute();
    await db.schema.createIndex("runs_restart_of").on("runs").column("restart_of").unique().execute();
    await db.schema
      .createIndex("runs_deployment_time")
      .on("runs")
      .columns(["deployment_id", "sort_time", "id"])
      .execute();
    await db.schema.createIndex("runs_worker").on("runs").columns(["worker_id", "state"]).execute();
    // The claim's walk: due runs of a pool in slot order, only while nobody holds them.
    await db.schema
      .createIndex("runs_claimable")
      .on("runs")
      .columns(["work_pool", "scheduled_for"])
      .where(sql.raw<boolean>(CLAIMABLE_RUNS))
      .execute();

    await db.schema
      .createTable("deployments")
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull().unique())
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("spec", "text", (c) => c.notNull())
      .addColumn("work_pool", "text", (c) => c.notNull())
      .addColumn("paused", "integer", (c) => c.notNull())
      .addColumn("concurrency_limit", "integer")
      .addColumn("late_after_ms", "bigint", (c) => c.notNull())
      .addColumn("schedule", "text")
      .addColumn("scheduled_until", "bigint")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("deployment_versions")
      .addColumn("deployment_id", "varchar(36)", (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("spec", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("deployment_versions_pk", ["deployment_id", "version"])
      .execute();
    await db.schema
      .createTable("workers")
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("pool", "text", (c) => c.notNull())
      .addColumn("run_limit", "integer", (c) => c.notNull())
      .addColumn("heartbeat_interval_ms", "bigint", (c) => c.notNull())
      .addColumn("last_heartbeat_at", "bigint", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("status", "varchar(8)", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("workers_pool").on("workers").columns(["pool", "status"]).execute();
  },
};

/**
 * Brings the schema up to date (Kysely's migrator, its own `kysely_migration` tables, a lock so that
 * several replicas on PostgreSQL migrate once).
 */
export async function migrateToLatest(db: Kysely<any>, dialect: "sqlite" | "postgres"): Promise<void> {
  const migrations: Record<string, Migration> = {
    "0001-initial": initial(dialect),
    "0002-tag-index-with-run": tagIndexWithRun,
    "0003-run-description": runDescription,
    "0004-state-origin": stateOrigin,
    "0005-deployments": deployments,
    "0006-models": modelsMigration(dialect),
  };
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: "weir_migration",
    migrationLockTableName: "weir_migration_lock",
  });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined)
    throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
}

import type { Kysely, Migration } from "kysely";

/* eslint-disable @typescript-eslint/no-explicit-any -- a migration runs against the schema it creates */

/**
 * Migration "0006-models": the model registry (models, immutable versions with their compressed
 * checkpoint, aliases and their history) and the predictions kept for late labels.
 */
export function modelsMigration(dialect: "sqlite" | "postgres"): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("models")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("latest_version", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("models_updated").on("models").columns(["updated_at"]).execute();
      await db.schema
        .createTable("model_versions")
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("run_id", "varchar(36)")
        .addColumn("step", "bigint")
        .addColumn("offset_json", "text")
        .addColumn("metrics", "text", (c) => c.notNull())
        .addColumn("learn_version", "text")
        .addColumn("description", "text")
        .addColumn("size_bytes", "bigint", (c) => c.notNull())
        .addColumn("input_type", "varchar(16)", (c) => c.notNull())
        .addColumn("checkpoint", dialect === "postgres" ? "bytea" : "blob", (c) => c.notNull())
        .addPrimaryKeyConstraint("model_versions_pk", ["name", "version"])
        .execute();
      await db.schema
        .createTable("model_aliases")
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("alias", "varchar(64)", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("follow_latest", "integer", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("model_aliases_pk", ["name", "alias"])
        .execute();
      await db.schema
        .createTable("model_alias_history")
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("alias", "varchar(64)", (c) => c.notNull())
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("version", "integer")
        .addColumn("follow_latest", "integer", (c) => c.notNull())
        .addColumn("changed_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("model_alias_history_pk", ["name", "alias", "position"])
        .execute();
      await db.schema
        .createTable("model_predictions")
        .addColumn("id", "varchar(36)", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("input", "text", (c) => c.notNull())
        .addColumn("label", "text", (c) => c.notNull())
        .addColumn("probabilities", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("true_label", "text")
        .addColumn("labelled_at", "bigint")
        .execute();
      await db.schema
        .createIndex("model_predictions_created")
        .on("model_predictions")
        .columns(["created_at"])
        .execute();
      // Live accuracy reads the labelled predictions of a model by label time; most are never labelled.
      await db.schema
        .createIndex("model_predictions_labelled")
        .on("model_predictions")
        .columns(["name", "labelled_at"])
        .where("labelled_at", "is not", null)
        .execute();
    },
  };
}

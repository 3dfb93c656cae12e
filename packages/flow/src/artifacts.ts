import { WeirArgumentError } from "./errors.js";
import { toJsonSafe } from "./json-safe.js";
import type { Reporter } from "./reporter.js";
import type { ArtifactBody } from "./wire.js";

/**
 * Artifacts of a run: keyed, versioned results shown on the dashboard (the same key gets a new version).
 * They are queued like logs (and spooled when the server is down), so these calls never wait.
 * @example
 * ctx.artifacts.markdown("report", "# Precision\n0.83");
 * ctx.artifacts.table("confusion", [{ label: 0, tp: 10, fp: 2 }]);
 * ctx.artifacts.link("dataset", "https://example.com/yelp.csv");
 */
export interface Artifacts {
  markdown(key: string, markdown: string, options?: { description?: string }): void;
  table(key: string, rows: ReadonlyArray<Record<string, unknown>>, options?: { description?: string }): void;
  link(key: string, url: string, options?: { description?: string }): void;
}

const ARTIFACT_KEY = /^[a-z0-9][a-z0-9-]{0,199}$/;

/** The artifacts API of one run. Internal. */
export function createArtifacts(reporter: Reporter, runId: string): Artifacts {
  const create = (
    type: "markdown" | "table" | "link",
    key: string,
    data: unknown,
    description?: string,
  ): void => {
    if (!ARTIFACT_KEY.test(key)) {
      throw new WeirArgumentError(
        `Artifact key "${key}" is invalid: use lowercase letters, digits and dashes (e.g. "model-report").`,
      );
    }
    if (type === "link" && !URL.canParse(String(data))) {
      throw new WeirArgumentError(`Link artifact "${key}" needs a URL (e.g. https://example.com/data.csv).`);
    }
    reporter.enqueue({
      t: "artifact",
      runId,
      body: {
        key,
        type,
        data: toJsonSafe(data),
        ...(description === undefined ? {} : { description }),
      } as ArtifactBody,
    });
  };
  return {
    markdown: (key, markdown, options = {}) => create("markdown", key, markdown, options.description),
    table: (key, rows, options = {}) => create("table", key, rows, options.description),
    link: (key, url, options = {}) => create("link", key, url, options.description),
  };
}

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useState } from "react";

import { modelQuery } from "../api/queries.js";
import type { ModelDetail, ModelVersion } from "../api/types.js";
import { AliasChips } from "../components/alias-chips.js";
import { ErrorNote, Loading } from "../components/status.js";
import { ApiError } from "../errors.js";
import { formatAgo, formatDateTime, formatNumber } from "../format.js";
import { useNow } from "../hooks.js";
import { href, Link, navigate, useRoute } from "../router.js";
import { FeedbackSection } from "./model-feedback.js";
import { formatBytes, formatLatency, formatRate, formatScore, sortedAliases } from "./model-format.js";
import { PromoteDialog } from "./model-promote-dialog.js";
import { TryIt } from "./model-try-it.js";
import { NotFoundPage } from "./not-found-page.js";

/** How often the model is read again: aliases move, versions are published, figures change. */
const POLL_MS = 2000;
/** Versions shown at first, and added by each "Show more". */
const SHOWN = 20;

function Facts({ model }: { model: ModelDetail }): ReactNode {
  const s = model.stats;
  const served = model.aliases.production !== undefined ? "production" : "latest";
  return (
    <dl className="run-facts model-facts">
      <div>
        <dt>Serving</dt>
        <dd data-testid="serving">
          {served} → v{model.aliases[served]}
        </dd>
      </div>
      <div>
        <dt>Aliases</dt>
        <dd>
          <AliasChips aliases={sortedAliases(model.aliases)} followLatest={model.followLatest} />
        </dd>
      </div>
      <div>
        <dt>Predictions</dt>
        <dd>{formatRate(s.predictionsPerSecond)}</dd>
      </div>
      <div>
        <dt>Latency p50 · p99</dt>
        <dd>
          {formatLatency(s.p50Ms)} · {formatLatency(s.p99Ms)}
        </dd>
      </div>
      <div>
        <dt>Served</dt>
        <dd>{formatNumber(s.predictions)}</dd>
      </div>
      <div>
        <dt>Labelled</dt>
        <dd>{formatNumber(s.labels)}</dd>
      </div>
      <div>
        <dt>Live accuracy</dt>
        <dd>{formatScore(s.accuracy)}</dd>
      </div>
    </dl>
  );
}

/** A version's metrics snapshot, `accuracy 0.9123 · f1 0.88`. */
function Metrics({ metrics }: { metrics: Record<string, number> }): ReactNode {
  const entries = Object.entries(metrics);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="metric-values">
      {entries.map(([name, value]) => (
        <li key={name} data-metric={name}>
          <span className="muted">{name}</span> {formatNumber(value, 4)}
        </li>
      ))}
    </ul>
  );
}

function VersionRow(props: {
  v: ModelVersion;
  model: ModelDetail;
  now: number;
  onPromote: () => void;
}): ReactNode {
  const { v, model, now } = props;
  return (
    <tr data-version={v.version}>
      <th scope="row">
        v{v.version}
        {v.description && <div className="muted small version-description">{v.description}</div>}
      </th>
      <td data-label="Aliases">
        {v.aliases.length > 0 && (
          <AliasChips
            aliases={v.aliases.map((a) => [a, v.version])}
            followLatest={model.followLatest}
            showVersion={false}
          />
        )}
      </td>
      <td data-label="Published" title={formatDateTime(v.createdAt)}>
        {formatAgo(v.createdAt, now)}
      </td>
      <td data-label="Metrics">
        <Metrics metrics={v.metrics} />
      </td>
      <td className="num" data-label="Step">
        {v.step === null ? "—" : formatNumber(v.step)}
      </td>
      <td data-label="Made by">
        {v.runId ? (
          <Link to={`#/runs/${v.runId}`} title={`Run ${v.runId}`}>
            run {v.runId.slice(0, 8)}
          </Link>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="num" data-label="Size">
        {formatBytes(v.sizeBytes)}
      </td>
      <td className="version-actions">
        <button
          type="button"
          onClick={props.onPromote}
          aria-label={`Promote or roll back to version ${v.version}`}
        >
          Promote…
        </button>
      </td>
    </tr>
  );
}

function Versions({
  model,
  onPromote,
}: {
  model: ModelDetail;
  onPromote: (version: number) => void;
}): ReactNode {
  const [shown, setShown] = useState(SHOWN);
  const now = useNow(5000);
  return (
    <section className="card" aria-labelledby="versions-h">
      <h2 id="versions-h">
        Versions <span className="muted">{formatNumber(model.versionCount)}</span>
      </h2>
      <div className="table-wrap">
        <table className="data versions stacked">
          <caption className="sr-only">Versions of {model.name}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Aliases</th>
              <th scope="col">Published</th>
              <th scope="col">Metrics</th>
              <th scope="col" className="num">
                Step
              </th>
              <th scope="col">Made by</th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {model.versions.slice(0, shown).map((v) => (
              <VersionRow
                key={v.version}
                v={v}
                model={model}
                now={now}
                onPromote={() => onPromote(v.version)}
              />
            ))}
          </tbody>
        </table>
      </div>
      {model.versions.length > shown && (
        <div className="pager">
          <button type="button" onClick={() => setShown((n) => n + SHOWN)}>
            Show older versions ({formatNumber(model.versions.length - shown)} more)
          </button>
        </div>
      )}
    </section>
  );
}

/** An unknown (or invalid) model name: said plainly, with the way back. */
function ModelNotFound({ name, error }: { name: string; error: ApiError }): ReactNode {
  return (
    <NotFoundPage title="Model not found" back={{ to: "#/models", label: "See all models" }}>
      {error.status === 404 ? (
        <>
          No model is named <code>{name}</code>. It may not be published yet, or the link is from another Weir
          server.
        </>
      ) : (
        <>
          <code>{name}</code> is not a model name: {error.message}
        </>
      )}
    </NotFoundPage>
  );
}

/**
 * One model: how it is served, its versions (metrics, the run that made each) with promote and
 * roll back, a "Try it" box, and its live accuracy from late labels.
 */
export function ModelPage({ name, theme }: { name: string; theme: string }): ReactNode {
  const { query } = useRoute();
  const model = useQuery(modelQuery(name, POLL_MS));
  const [promoting, setPromoting] = useState<number | null>(null);
  const [result, setResult] = useState("");

  const missing =
    model.error instanceof ApiError && (model.error.status === 404 || model.error.status === 400);
  if (missing && !model.data) return <ModelNotFound name={name} error={model.error as ApiError} />;
  const m = model.data;
  return (
    <div className="page">
      <header className="run-head">
        <nav aria-label="Breadcrumb" className="crumbs">
          <Link to="#/models">Models</Link>
          <span aria-hidden="true"> › </span>
        </nav>
        <h1>
          <span className="sr-only">Models › </span>
          {name}
          {m && <span className="muted"> v{m.latestVersion}</span>}
        </h1>
        {m && <Facts model={m} />}
      </header>
      <div role="status" className="notice-region">
        {result && <p className="notice">{result}</p>}
      </div>
      {!m && model.isPending && <Loading what="model" />}
      <ErrorNote error={model.error} retry={() => void model.refetch()} />
      {m && (
        <>
          <Versions model={m} onPromote={setPromoting} />
          <TryIt model={m} />
          <FeedbackSection
            name={name}
            theme={theme}
            windowValue={query.get("window") ?? "1h"}
            onWindow={(w) =>
              navigate(href(`/models/${encodeURIComponent(name)}`, { window: w }), { replace: true })
            }
          />
          {promoting !== null && (
            <PromoteDialog
              model={m}
              version={promoting}
              onClose={() => setPromoting(null)}
              onDone={(message) => {
                setPromoting(null);
                setResult(message);
              }}
            />
          )}
        </>
      )}
    </div>
  );
}

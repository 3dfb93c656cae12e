import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { modelsQuery } from "../api/queries.js";
import type { ModelSummary } from "../api/types.js";
import { AliasChips } from "../components/alias-chips.js";
import { ErrorNote, Loading } from "../components/status.js";
import { formatAgo, formatNumber } from "../format.js";
import { useNow } from "../hooks.js";
import { Link } from "../router.js";
import { formatLatency, formatRate, formatScore, sortedAliases } from "./model-format.js";

/** How often the list is read again: its predictions per second and latencies move with every request. */
const POLL_MS = 2000;

/** The link to a model's page. */
function modelHref(name: string): string {
  return `#/models/${encodeURIComponent(name)}`;
}

function ModelRow({ model, now }: { model: ModelSummary; now: number }): ReactNode {
  const s = model.stats;
  return (
    <tr data-model={model.name}>
      <th scope="row" data-label="Model">
        <Link to={modelHref(model.name)}>{model.name}</Link>
      </th>
      <td data-label="Aliases">
        <AliasChips aliases={sortedAliases(model.aliases)} followLatest={model.followLatest} />
      </td>
      <td className="num" data-label="Latest version" data-testid="latest-version">
        v{model.latestVersion}
      </td>
      <td className="num" data-label="Versions">
        {formatNumber(model.versions)}
      </td>
      <td className="num" data-label="Predictions" data-testid="rate">
        {formatRate(s.predictionsPerSecond)}
      </td>
      <td className="num" data-label="Latency p50 · p99">
        {formatLatency(s.p50Ms)} · {formatLatency(s.p99Ms)}
      </td>
      <td className="num" data-label="Live accuracy">
        {formatScore(s.accuracy)}
      </td>
      <td data-label="Updated">{formatAgo(model.updatedAt, now)}</td>
    </tr>
  );
}

/**
 * Every model of the registry: its aliases, newest version and how it is being served right now
 * (predictions per second and latency over the last minute, accuracy of the labels received in it).
 */
export function ModelsPage(): ReactNode {
  const models = useQuery(modelsQuery(POLL_MS));
  const now = useNow(5000);
  return (
    <div className="page">
      <header className="page-head">
        <h1>Models {models.data && <span className="muted">{formatNumber(models.data.length)}</span>}</h1>
      </header>
      <ErrorNote error={models.error} retry={() => void models.refetch()} />
      {models.isPending && <Loading what="models" />}
      {models.data?.length === 0 && (
        <section className="card">
          <p className="empty">No models yet.</p>
          <p>
            A flow publishes one with <code>publishModel(&quot;my-model&quot;, model)</code> (or{" "}
            <code>ctx.models.publish</code>); it appears here with its versions, and the server answers
            predictions for it at <code>POST /api/models/my-model/predict</code>.
          </p>
        </section>
      )}
      {models.data && models.data.length > 0 && (
        <section className="card">
          <div className="table-wrap">
            <table className="data models stacked">
              <caption className="sr-only">
                Models, with live figures over the last minute (refreshed every {POLL_MS / 1000} s)
              </caption>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Aliases</th>
                  <th scope="col" className="num">
                    Latest
                  </th>
                  <th scope="col" className="num">
                    Versions
                  </th>
                  <th scope="col" className="num">
                    Predictions
                  </th>
                  <th scope="col" className="num">
                    Latency p50 · p99
                  </th>
                  <th scope="col" className="num">
                    Live accuracy
                  </th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {models.data.map((m) => (
                  <ModelRow key={m.name} model={m} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { deploymentQuery, runsQuery, schedulePreviewQuery } from "../api/queries.js";
import type { Deployment } from "../api/types.js";
import {
  LastRuns,
  NextRuns,
  PauseButton,
  PausedBadge,
  ScheduleText,
  Versions,
} from "../components/deployment-parts.js";
import { RunDeploymentButton } from "../components/run-deployment-button.js";
import { RunTable } from "../components/run-table.js";
import { ErrorNote, Loading } from "../components/status.js";
import { formatDateTime, formatDuration } from "../format.js";
import { ApiError } from "../errors.js";
import { useNow } from "../hooks.js";
import { href, Link } from "../router.js";
import { NotFoundPage } from "./not-found-page.js";

const RUNS_SHOWN = 25;

function restartText(d: Deployment): string {
  const p = d.restartPolicy;
  if (p.mode === "never") return "never";
  const limit = p.maxRestarts === null ? "no limit" : `at most ${p.maxRestarts} in a row`;
  return `${p.mode}, backoff ${formatDuration(p.initialDelayMs / 1000)} → ${formatDuration(p.maxDelayMs / 1000)}, ${limit}`;
}

/** What the deployment runs and how: entrypoint, pool, limits, restart policy, timeout. */
function Details({ deployment: d }: { deployment: Deployment }): ReactNode {
  const rows: [string, ReactNode][] = [
    ["Flow", <Link to={href("/runs", { flow: d.flowName })}>{d.flowName}</Link>],
    ["Entrypoint", <code>{d.entrypoint}</code>],
    ["Working directory", d.workingDirectory ? <code>{d.workingDirectory}</code> : "the worker's"],
    ["Work pool", <Link to={href("/workers", { pool: d.workPool })}>{d.workPool}</Link>],
    ["Version", `${d.version} · deployed ${formatDateTime(d.updatedAt)}`],
    ["First deployed", formatDateTime(d.createdAt)],
    ["Concurrency limit", d.concurrencyLimit ?? "none"],
    ["Restart policy", restartText(d)],
    ["Timeout", d.timeoutSeconds === null ? "none" : formatDuration(d.timeoutSeconds)],
    ["Late after", formatDuration(d.lateAfterMs / 1000)],
    [
      "Tags",
      d.tags.length
        ? d.tags.map((t) => (
            <span className="tag" key={t}>
              {t}
            </span>
          ))
        : "none",
    ],
  ];
  return (
    <section className="card" aria-labelledby="dep-details-h">
      <h2 id="dep-details-h">Details</h2>
      <dl className="facts">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** The schedule, its next runs, and (paused) when it would run once resumed. */
function Schedule({ deployment: d, now }: { deployment: Deployment; now: number }): ReactNode {
  const s = d.schedule;
  // Paused: the server plans no slots, so ask it when the schedule would fire once resumed.
  const preview = useQuery({
    ...schedulePreviewQuery(
      s === null
        ? {}
        : "cron" in s
          ? { cron: s.cron, timezone: s.timezone, count: 5 }
          : { intervalMs: s.intervalMs, anchor: s.anchor, count: 5 },
    ),
    enabled: s !== null && d.paused,
  });
  return (
    <section className="card" aria-labelledby="dep-schedule-h">
      <h2 id="dep-schedule-h">Schedule</h2>
      <p>
        <ScheduleText deployment={d} />
      </p>
      {s !== null && !d.paused && (
        <>
          <h3>Next runs</h3>
          <NextRuns times={d.nextRuns} now={now} max={5} />
        </>
      )}
      {s !== null && d.paused && (
        <>
          <p className="muted">Paused: no runs are scheduled. Once resumed, it would next run at:</p>
          <ErrorNote error={preview.error} />
          {preview.data && <NextRuns times={preview.data.next} now={now} max={5} />}
        </>
      )}
    </section>
  );
}

/** The deployment's default parameters. */
function Defaults({ deployment: d }: { deployment: Deployment }): ReactNode {
  const entries = Object.entries(d.parameters);
  return (
    <section className="card" aria-labelledby="dep-params-h">
      <h2 id="dep-params-h">Default parameters</h2>
      {entries.length === 0 ? (
        <p className="empty">None.</p>
      ) : (
        <table className="data kv">
          <caption className="sr-only">Default parameters</caption>
          <tbody>
            {entries.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>
                  <pre>{typeof v === "string" ? v : JSON.stringify(v, null, 2)}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** One deployment: details, schedule and next runs, defaults, its runs; Run, Pause and Resume. */
export function DeploymentPage({ idOrName }: { idOrName: string }): ReactNode {
  const deployment = useQuery(deploymentQuery(idOrName));
  const d = deployment.data;
  const runs = useQuery({
    ...runsQuery({ kind: "flow", deploymentId: d?.id, limit: RUNS_SHOWN, sort: "start-desc" }),
    enabled: d !== undefined,
  });
  const now = useNow(1000);

  if (!d) {
    const error = deployment.error;
    if (error instanceof ApiError && error.status >= 400 && error.status < 500)
      return (
        <NotFoundPage
          title="Deployment not found"
          back={{ to: "#/deployments", label: "See all deployments" }}
        >
          No deployment is named <code>{idOrName}</code> ({error.message}). It may have been deleted, or the
          link is from another Weir server.
        </NotFoundPage>
      );
    return error ? (
      <ErrorNote error={error} retry={() => void deployment.refetch()} />
    ) : (
      <Loading what="deployment" />
    );
  }
  return (
    <div className="page" data-deployment={d.name}>
      <header className="run-head">
        <nav aria-label="Breadcrumb" className="crumbs">
          <Link to="#/deployments">Deployments</Link>
          <span aria-hidden="true"> › </span>
        </nav>
        <div className="dep-title">
          <h1>
            {d.name} <PausedBadge deployment={d} />
          </h1>
          <div className="dep-actions">
            <RunDeploymentButton deployment={d} />
            <PauseButton deployment={d} />
          </div>
        </div>
        {d.description && <p className="muted run-description">{d.description}</p>}
        <div className="last-runs-row">
          <span className="muted small">Last runs</span> <LastRuns deployment={d} />
        </div>
      </header>
      <div className="grid-2">
        <Schedule deployment={d} now={now} />
        <Defaults deployment={d} />
      </div>
      <Details deployment={d} />
      <Versions deployment={d} />
      <section className="card" aria-labelledby="dep-runs-h">
        <h2 id="dep-runs-h">Runs</h2>
        <ErrorNote error={runs.error} retry={() => void runs.refetch()} />
        {runs.data ? (
          <RunTable
            runs={runs.data.items}
            now={now}
            caption={`Runs of ${d.name}`}
            showFlow={false}
            showTags={false}
          />
        ) : (
          !runs.error && <Loading what="runs" />
        )}
      </section>
    </div>
  );
}

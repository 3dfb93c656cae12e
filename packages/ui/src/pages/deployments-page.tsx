import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { deploymentsQuery, workPoolsQuery } from "../api/queries.js";
import type { Deployment } from "../api/types.js";
import {
  LastRuns,
  NextRuns,
  PauseButton,
  PausedBadge,
  ScheduleText,
} from "../components/deployment-parts.js";
import { RunDeploymentButton } from "../components/run-deployment-button.js";
import { ErrorNote, Loading } from "../components/status.js";
import { formatNumber } from "../format.js";
import { useNow } from "../hooks.js";
import { href, Link, navigate, useRoute } from "../router.js";

/** One deployment as a row of the list: what it runs, when, how its last runs went, and its actions. */
function DeploymentRow({ deployment: d, now }: { deployment: Deployment; now: number }): ReactNode {
  return (
    <li className="card deployment" data-deployment={d.name} data-paused={d.paused}>
      <div className="dep-name">
        <h2>
          <Link to={`#/deployments/${encodeURIComponent(d.name)}`}>{d.name}</Link>{" "}
          <PausedBadge deployment={d} />
        </h2>
        <p className="muted small">
          {d.flowName} · v{d.version} · pool{" "}
          <Link to={href("/workers", { pool: d.workPool })}>{d.workPool}</Link>
        </p>
        {d.tags.length > 0 && (
          <p>
            {d.tags.map((t) => (
              <span className="tag" key={t}>
                {t}
              </span>
            ))}
          </p>
        )}
      </div>
      <div className="dep-cell">
        <h3 className="dep-label">Schedule</h3>
        <ScheduleText deployment={d} />
      </div>
      <div className="dep-cell">
        <h3 className="dep-label">Next runs</h3>
        {d.paused ? <span className="muted">Paused</span> : <NextRuns times={d.nextRuns} now={now} short />}
      </div>
      <div className="dep-cell">
        <h3 className="dep-label">Last runs</h3>
        <LastRuns deployment={d} />
      </div>
      <div className="dep-actions">
        <RunDeploymentButton deployment={d} />
        <PauseButton deployment={d} />
      </div>
    </li>
  );
}

/**
 * The deployments (of one work pool, `?pool=`): name, flow, schedule in words, next and last runs,
 * Pause/Resume and Run. Kept fresh by their runs' live changes and a slow poll.
 */
export function DeploymentsPage(): ReactNode {
  const { query } = useRoute();
  const pool = query.get("pool") ?? "";
  const deployments = useQuery(deploymentsQuery({ pool: pool || undefined }));
  const pools = useQuery(workPoolsQuery());
  const now = useNow(1000);
  return (
    <div className="page">
      <header className="page-head">
        <h1>
          Deployments{" "}
          {deployments.data && <span className="muted">{formatNumber(deployments.data.length)}</span>}
        </h1>
        <label className="field">
          <span>Work pool</span>
          <select
            value={pool}
            onChange={(e) => navigate(href("/deployments", { pool: e.target.value }), { replace: true })}
          >
            <option value="">All pools</option>
            {pools.data?.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
            {pool && !pools.data?.some((p) => p.name === pool) && <option value={pool}>{pool}</option>}
          </select>
        </label>
      </header>
      <ErrorNote error={deployments.error} retry={() => void deployments.refetch()} />
      {deployments.isPending && <Loading what="deployments" />}
      {deployments.data?.length === 0 && (
        <p className="empty">
          No deployments{pool ? ` in pool ${pool}` : ""} yet. Create one with{" "}
          <code>weir deploy ./src/flows.ts:monitor --name monitor --cron &quot;*/5 * * * *&quot;</code>,{" "}
          <code>deploy(flow, …)</code> or <code>POST /api/deployments</code>.
        </p>
      )}
      {deployments.data && deployments.data.length > 0 && (
        <ul className="deployments" aria-label="Deployments">
          {deployments.data.map((d) => (
            <DeploymentRow key={d.id} deployment={d} now={now} />
          ))}
        </ul>
      )}
    </div>
  );
}

import "../deployments.css";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { usePauseDeployment } from "../api/mutations.js";
import { deploymentVersionsQuery } from "../api/queries.js";
import type { Deployment, DeploymentVersion } from "../api/types.js";
import { formatDateTime, formatDuration, formatIn, formatShortDateTime } from "../format.js";
import { Link } from "../router.js";
import { StateBadge } from "./state-badge.js";
import { ErrorNote, Loading } from "./status.js";

/** The schedule in words (the server's), with the expression it came from. */
export function ScheduleText({ deployment: d }: { deployment: Deployment }): ReactNode {
  const s = d.schedule;
  if (!s) return <span className="muted">On demand (no schedule)</span>;
  const source = "cron" in s ? `${s.cron} · ${s.timezone ?? "UTC"}` : null;
  const words =
    d.scheduleDescription ?? ("cron" in s ? s.cron : `every ${formatDuration(s.intervalMs / 1000)}`);
  return (
    <span className="schedule" data-testid="schedule">
      <span className="schedule-words">{words}</span>
      {source && <code className="schedule-source">{source}</code>}
    </span>
  );
}

/** The next slots of a schedule, each with how soon it is (`short`: without the year and seconds). */
export function NextRuns(props: { times: string[]; now: number; max?: number; short?: boolean }): ReactNode {
  const { times, now, max = 3, short = false } = props;
  if (times.length === 0) return <span className="muted">—</span>;
  return (
    <ol className="next-runs" aria-label="Next runs">
      {times.slice(0, max).map((t) => (
        <li key={t}>
          <time dateTime={t} title={formatDateTime(t)}>
            {short ? formatShortDateTime(Date.parse(t)) : formatDateTime(t)}
          </time>{" "}
          <span className="muted small soon">{formatIn(t, now)}</span>
        </li>
      ))}
    </ol>
  );
}

/** The deployment's last runs as state badges, newest first, each a link to its run. */
export function LastRuns({ deployment: d }: { deployment: Deployment }): ReactNode {
  if (d.lastRuns.length === 0) return <span className="muted">No runs yet</span>;
  return (
    <ul className="last-runs" aria-label={`Last runs of ${d.name}`}>
      {d.lastRuns.map((run) => (
        <li key={run.id}>
          <Link to={`#/runs/${run.id}`} aria-label={`${run.name}: ${run.state}`} title={run.name}>
            <StateBadge state={run.state} />
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** "Paused" next to a paused deployment's name. */
export function PausedBadge({ deployment: d }: { deployment: Deployment }): ReactNode {
  return d.paused ? (
    <span className="paused-badge" data-testid="paused">
      Paused
    </span>
  ) : null;
}

/** Pause or Resume a deployment's schedule; a refusal is said next to the button. */
export function PauseButton({ deployment: d }: { deployment: Deployment }): ReactNode {
  const pause = usePauseDeployment(d.name);
  if (!d.schedule && !d.paused) return null;
  const label = d.paused ? "Resume" : "Pause";
  return (
    <>
      <button
        type="button"
        aria-label={`${label} ${d.name}`}
        disabled={pause.isPending}
        onClick={() => pause.mutate(!d.paused)}
      >
        {pause.isPending ? (d.paused ? "Resuming…" : "Pausing…") : label}
      </button>
      {pause.error && (
        <span className="field-error" role="alert">
          {pause.error.message}
        </span>
      )}
    </>
  );
}

/** A value of a changed field, short: JSON, cut past 80 characters (the whole in its title). */
function Value({ value }: { value: unknown }): ReactNode {
  if (value === undefined) return <span className="muted">unset</span>;
  const json = JSON.stringify(value);
  return (
    <code title={json.length > 80 ? json : undefined}>
      {json.length > 80 ? `${json.slice(0, 79)}…` : json}
    </code>
  );
}

/** What a version changed from the one before it, a field a line. */
function Changes({ version: v }: { version: DeploymentVersion }): ReactNode {
  if (v.version === 1) return <span className="muted">First version</span>;
  if (v.changes.length === 0) return <span className="muted">No change in its fields</span>;
  return (
    <ul className="version-changes">
      {v.changes.map((c) => (
        <li key={c.field} data-field={c.field}>
          <code className="version-field">{c.field}</code>: <Value value={c.from} /> → <Value value={c.to} />
        </li>
      ))}
    </ul>
  );
}

/** The deployment's versions, newest first: when each was deployed and which fields it changed. */
export function Versions({ deployment: d }: { deployment: Deployment }): ReactNode {
  const versions = useQuery(deploymentVersionsQuery(d));
  return (
    <section className="card" aria-labelledby="dep-versions-h">
      <h2 id="dep-versions-h">Versions</h2>
      <ErrorNote error={versions.error} retry={() => void versions.refetch()} />
      {versions.isPending && !versions.error && <Loading what="versions" />}
      {versions.data && (
        <div className="table-wrap">
          <table className="data deployment-versions stacked-rows">
            <caption className="sr-only">Versions of {d.name}</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Deployed</th>
                <th scope="col">Changed</th>
              </tr>
            </thead>
            <tbody>
              {versions.data.map((v) => (
                <tr key={v.version} data-version={v.version}>
                  <th scope="row">
                    v{v.version}
                    {v.version === d.version && <span className="muted small"> (current)</span>}
                  </th>
                  <td data-label="Deployed">
                    <time dateTime={v.createdAt}>{formatDateTime(v.createdAt)}</time>
                  </td>
                  <td data-label="Changed">
                    <Changes version={v} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

import type { ReactNode } from "react";

import type { Run } from "../api/types.js";
import { formatAgo, formatDateTime, formatDuration, runSeconds } from "../format.js";
import { Link } from "../router.js";
import { StateBadge } from "./state-badge.js";

/**
 * Runs as table rows: flow › run name, state badge, start time, duration, tags.
 * @example <RunTable runs={page.items} now={now} caption="Flow runs" />
 */
export function RunTable({
  runs,
  now,
  caption,
  showFlow = true,
  showTags = true,
}: {
  runs: Run[];
  now: number;
  caption: string;
  showFlow?: boolean;
  showTags?: boolean;
}): ReactNode {
  if (runs.length === 0) return <p className="empty">No runs.</p>;
  return (
    <div className="table-wrap">
      <table className="runs">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">State</th>
            <th scope="col">Start time</th>
            <th scope="col">Duration</th>
            {showTags && <th scope="col">Tags</th>}
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-run-id={run.id} data-state={run.state}>
              <td className="run-name">
                <Link to={`#/runs/${run.id}`}>
                  {showFlow && (
                    <>
                      <span className="flow-name">{run.flowName}</span>
                      <span className="sep" aria-hidden="true">
                        {" › "}
                      </span>
                      <span className="sr-only"> run </span>
                    </>
                  )}
                  <span>{run.name}</span>
                </Link>
              </td>
              <td>
                <StateBadge state={run.state} title={run.stateMessage} />
              </td>
              <td title={run.startTime ?? run.createdAt}>
                {formatDateTime(run.startTime)}
                <span className="muted small"> {run.startTime ? formatAgo(run.startTime, now) : ""}</span>
              </td>
              <td className="num">{formatDuration(runSeconds(run, now))}</td>
              {showTags && (
                <td>
                  {run.tags.map((t) => (
                    <span className="tag" key={t}>
                      {t}
                    </span>
                  ))}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import type { ReactNode } from "react";

import type { Run } from "../api/types.js";
import { formatAgo, formatDateTime, formatDuration, formatIn, runSeconds } from "../format.js";
import { Link } from "../router.js";
import type { RunSelection } from "./run-selection.js";
import { StateBadge } from "./state-badge.js";

/** When a waiting run is due: "scheduled in 4 min", "due 30s ago" (Late), "queued 5s ago" (Pending). */
function waiting(run: Run, now: number): string {
  const at = run.scheduledFor;
  if (at === null || !["Scheduled", "Late", "Pending"].includes(run.state)) return "";
  if (Date.parse(at) > now) return `scheduled ${formatIn(at, now)}`;
  return `${run.state === "Pending" ? "queued" : "due"} ${formatAgo(at, now)}`;
}

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
  selection,
}: {
  runs: Run[];
  now: number;
  caption: string;
  showFlow?: boolean;
  showTags?: boolean;
  /** A checkbox per row, to pick runs to compare (see `useRunSelection`). */
  selection?: RunSelection;
}): ReactNode {
  if (runs.length === 0) return <p className="empty">No runs.</p>;
  return (
    <div className="table-wrap">
      <table className="runs">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {selection && (
              <th scope="col" className="select-col">
                <span className="sr-only">Compare</span>
              </th>
            )}
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
              {selection && (
                <td className="select-col">
                  <input
                    type="checkbox"
                    checked={selection.selected.includes(run.id)}
                    onChange={() => selection.toggle(run.id)}
                    aria-label={`Select ${run.name} to compare`}
                  />
                </td>
              )}
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
              <td data-label="State">
                <StateBadge state={run.state} title={run.stateMessage} />
              </td>
              <td data-label="Start" title={run.startTime ?? run.scheduledFor ?? run.createdAt}>
                {formatDateTime(run.startTime ?? run.scheduledFor)}
                <span className="muted small">
                  {" "}
                  {run.startTime ? formatAgo(run.startTime, now) : waiting(run, now)}
                </span>
              </td>
              <td className="num" data-label="Duration">
                {formatDuration(runSeconds(run, now))}
              </td>
              {showTags && (
                <td data-label="Tags">
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

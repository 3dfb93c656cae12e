import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { runQuery } from "../api/queries.js";
import { TERMINAL_STATES } from "../api/types.js";
import type { Run } from "../api/types.js";
import { RunActions, RunOrigin } from "../components/run-actions.js";
import { StateBadge } from "../components/state-badge.js";
import { ErrorNote, Loading } from "../components/status.js";
import { Tabs } from "../components/tabs.js";
import { TaskTimeline } from "../components/task-timeline.js";
import { formatDateTime, formatDuration, runSeconds } from "../format.js";
import { ApiError } from "../errors.js";
import { useNow } from "../hooks.js";
import { href, Link, navigate, useRoute } from "../router.js";
import { RunLogsTab } from "./run-logs-tab.js";
import { RunNotFound } from "./not-found-page.js";
import { RunMetricsTab } from "./run-metrics-tab.js";
import { ArtifactsTab, DetailsTab, ParametersTab, RelatedRunsTab } from "./run-related-tabs.js";

const TABS = [
  { id: "logs", label: "Logs" },
  { id: "metrics", label: "Metrics" },
  { id: "timeline", label: "Timeline" },
  { id: "tasks", label: "Task runs" },
  { id: "children", label: "Child runs" },
  { id: "artifacts", label: "Artifacts" },
  { id: "parameters", label: "Parameters" },
  { id: "details", label: "Details" },
];

/** The run's name, state, times and tags. */
function RunHeader({ run, now }: { run: Run; now: number }): ReactNode {
  const r = run;
  return (
    <header className="run-head">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to={href("/runs", { flow: r.flowName })}>{r.flowName}</Link>
        <span aria-hidden="true"> › </span>
      </nav>
      <h1>
        <span className="sr-only">{r.flowName} › </span>
        {r.name}
      </h1>
      {r.description && <p className="muted run-description">{r.description}</p>}
      <RunActions run={r} />
      <dl className="run-facts">
        <div>
          <dt>State</dt>
          <dd data-testid="run-state">
            <StateBadge state={r.state} />
            {r.stateMessage && <span className="muted small"> {r.stateMessage}</span>}
          </dd>
        </div>
        <div>
          <dt>Start</dt>
          <dd>{formatDateTime(r.startTime)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(runSeconds(r, now))}</dd>
        </div>
        {r.runCount > 0 && (
          <div>
            <dt>Attempts</dt>
            <dd data-testid="run-attempts">{r.runCount}</dd>
          </div>
        )}
        {r.tags.length > 0 && (
          <div>
            <dt>Tags</dt>
            <dd>
              {r.tags.map((t) => (
                <Link className="tag" key={t} to={href("/runs", { tag: t })}>
                  {t}
                </Link>
              ))}
            </dd>
          </div>
        )}
        <RunOrigin run={r} />
        {r.parentRunId && (
          <div>
            <dt>Parent</dt>
            <dd>
              <Link to={`#/runs/${r.parentRunId}`}>parent run</Link>
            </dd>
          </div>
        )}
      </dl>
    </header>
  );
}

/**
 * One run: header with live state and duration, and its tabs. The tabs load their own data (and
 * read the run from the same cache entry) while the header loads, not after it.
 */
export function RunPage({ id, theme }: { id: string; theme: string }): ReactNode {
  const { query } = useRoute();
  const tab = TABS.some((t) => t.id === query.get("tab")) ? query.get("tab")! : "logs";
  const run = useQuery(runQuery(id));
  const live = run.data && !TERMINAL_STATES.includes(run.data.state);
  const now = useNow(1000, !!live);

  // A run created a moment ago may not be stored yet: its `run` event fills the page in.
  if (!run.data && run.error)
    return run.error instanceof ApiError && run.error.status === 404 ? (
      <RunNotFound id={id} />
    ) : (
      <ErrorNote error={run.error} retry={() => void run.refetch()} />
    );
  return (
    <div className="page">
      {run.data ? <RunHeader run={run.data} now={now} /> : <Loading what="run" />}
      <Tabs
        tabs={TABS}
        active={tab}
        idPrefix="run"
        onSelect={(t) =>
          navigate(href(`/runs/${id}`, { tab: t === "logs" ? undefined : t }), { replace: true })
        }
      >
        {tab === "logs" && <RunLogsTab runId={id} />}
        {tab === "metrics" && <RunMetricsTab runId={id} theme={theme} />}
        {tab === "timeline" && <TaskTimeline runId={id} />}
        {tab === "tasks" && <RelatedRunsTab runId={id} relation="tasks" />}
        {tab === "children" && <RelatedRunsTab runId={id} relation="children" />}
        {tab === "artifacts" && <ArtifactsTab runId={id} />}
        {tab === "parameters" && <ParametersTab runId={id} />}
        {tab === "details" && <DetailsTab runId={id} />}
      </Tabs>
    </div>
  );
}

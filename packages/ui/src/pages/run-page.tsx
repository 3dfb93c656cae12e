import type { ReactNode } from "react";
import { useRef } from "react";

import { api } from "../api/client.js";
import { useLive } from "../api/live.js";
import { TERMINAL_STATES } from "../api/types.js";
import type { Run } from "../api/types.js";
import { StateBadge } from "../components/state-badge.js";
import { ErrorNote, Loading } from "../components/status.js";
import { Tabs } from "../components/tabs.js";
import { formatDateTime, formatDuration, runSeconds } from "../format.js";
import { useAsync, useNow } from "../hooks.js";
import { href, Link, navigate, useRoute } from "../router.js";
import { RunLogsTab } from "./run-logs-tab.js";
import { RunMetricsTab } from "./run-metrics-tab.js";
import { ArtifactsTab, DetailsTab, ParametersTab, RelatedRunsTab } from "./run-related-tabs.js";

const TABS = [
  { id: "logs", label: "Logs" },
  { id: "metrics", label: "Metrics" },
  { id: "tasks", label: "Task runs" },
  { id: "children", label: "Child runs" },
  { id: "artifacts", label: "Artifacts" },
  { id: "parameters", label: "Parameters" },
  { id: "details", label: "Details" },
];

/** One run: header with live state and duration, and its tabs. */
export function RunPage({ id, theme }: { id: string; theme: string }): ReactNode {
  const { query } = useRoute();
  const tab = TABS.some((t) => t.id === query.get("tab")) ? query.get("tab")! : "logs";
  // A state pushed while the run is loading wins over the (older) answer of the load.
  const pushed = useRef<Run | null>(null);
  const run = useAsync(
    async (signal) => {
      const loaded = await api.run(id, signal);
      const p = pushed.current;
      return p && Date.parse(p.stateTimestamp) > Date.parse(loaded.stateTimestamp) ? p : loaded;
    },
    [id],
  );
  const live = run.data && !TERMINAL_STATES.includes(run.data.state);
  const now = useNow(1000, !!live);
  useLive(
    {
      run: (r) => {
        if (r.id !== id) return;
        pushed.current = r;
        run.setData(() => r);
      },
      reconnect: run.reload,
    },
    id,
  );

  // A run created a moment ago may not be stored yet: its `run` event fills the page in.
  if (!run.data)
    return run.error ? <ErrorNote error={run.error} retry={run.reload} /> : <Loading what="run" />;
  const r = run.data;
  return (
    <div className="page">
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
      <Tabs
        tabs={TABS}
        active={tab}
        idPrefix="run"
        onSelect={(t) =>
          navigate(href(`/runs/${id}`, { tab: t === "logs" ? undefined : t }), { replace: true })
        }
      >
        {tab === "logs" && <RunLogsTab run={r} />}
        {tab === "metrics" && <RunMetricsTab run={r} theme={theme} />}
        {tab === "tasks" && <RelatedRunsTab run={r} relation="tasks" />}
        {tab === "children" && <RelatedRunsTab run={r} relation="children" />}
        {tab === "artifacts" && <ArtifactsTab run={r} />}
        {tab === "parameters" && <ParametersTab run={r} />}
        {tab === "details" && <DetailsTab run={r} />}
      </Tabs>
    </div>
  );
}

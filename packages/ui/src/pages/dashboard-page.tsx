import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { activityQuery, statsQuery, topicsQuery } from "../api/queries.js";
import { STATES } from "../api/types.js";
import type { StateType } from "../api/types.js";
import { ActivityChart } from "../components/activity-chart.js";
import { RunTable } from "../components/run-table.js";
import { StateBadge, stateColor } from "../components/state-badge.js";
import { ErrorNote, Loading } from "../components/status.js";
import { activityWindowOf, sinceOf, TimeRangeSelect } from "../components/time-range.js";
import { formatNumber } from "../format.js";
import { useNow } from "../hooks.js";
import { href, Link, navigate, useRoute } from "../router.js";

function Counts({
  counts,
  label,
  kind,
}: {
  counts: Partial<Record<StateType, number>>;
  label: string;
  kind: string;
}): ReactNode {
  const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  const present = STATES.filter((s) => (counts[s] ?? 0) > 0);
  return (
    <section className="card" aria-labelledby={`counts-${kind}`}>
      <h2 id={`counts-${kind}`}>
        {label} <span className="muted">{formatNumber(total)}</span>
      </h2>
      {present.length === 0 ? (
        <p className="empty">None in this time range.</p>
      ) : (
        <>
          <div className="stack-bar" aria-hidden="true">
            {present.map((s) => (
              <span key={s} style={{ flexGrow: counts[s] ?? 0, background: stateColor(s) }} />
            ))}
          </div>
          <ul className="counts">
            {present.map((s) => (
              <li key={s} data-state={s}>
                {kind === "flow" ? (
                  <Link to={href("/runs", { state: s })}>
                    <StateBadge state={s} /> <strong>{formatNumber(counts[s] ?? 0)}</strong>
                    <span className="sr-only"> flow runs</span>
                  </Link>
                ) : (
                  <>
                    <StateBadge state={s} /> <strong>{formatNumber(counts[s] ?? 0)}</strong>
                  </>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** The dashboard: activity chart, counts per state, task runs, recent failures, topics. */
export function DashboardPage(): ReactNode {
  const { query } = useRoute();
  const range = query.get("range") ?? "24h";
  const since = sinceOf(range);
  // The server counts the chart's buckets; they and the counts are fetched again at most every 2 s.
  const activity = useQuery(activityQuery(activityWindowOf(range)));
  const stats = useQuery(statsQuery({ since }));
  const topics = useQuery(topicsQuery(3000));
  const now = useNow(1000);

  return (
    <div className="page">
      <header className="page-head">
        <h1>Dashboard</h1>
        <TimeRangeSelect
          id="dash-range"
          value={range}
          onChange={(v) => navigate(href("/", { range: v }), { replace: true })}
        />
      </header>

      <section className="card" aria-labelledby="activity-h">
        <h2 id="activity-h">Flow run activity</h2>
        <ErrorNote error={activity.error} retry={() => void activity.refetch()} />
        {activity.data ? (
          <ActivityChart activity={activity.data} label="Flow runs per time bucket, coloured by state" />
        ) : (
          !activity.error && <Loading what="runs" />
        )}
      </section>

      <div className="grid-2">
        <ErrorNote error={stats.error} retry={() => void stats.refetch()} />
        {stats.data && <Counts counts={stats.data.flowRuns} label="Flow runs" kind="flow" />}
        {stats.data && <Counts counts={stats.data.taskRuns} label="Task runs" kind="task" />}
      </div>

      <div className="grid-2">
        <section className="card" aria-labelledby="failures-h">
          <h2 id="failures-h">Recent failures</h2>
          {stats.data &&
            (stats.data.recentFailures.length === 0 ? (
              <p className="empty">No Failed or Crashed runs in this time range.</p>
            ) : (
              <RunTable
                runs={stats.data.recentFailures}
                now={now}
                caption="Recent Failed or Crashed runs"
                showTags={false}
              />
            ))}
        </section>
        <section className="card" aria-labelledby="topics-h">
          <h2 id="topics-h">
            <Link to="#/topics">Topics</Link>
          </h2>
          <ErrorNote error={topics.error} />
          {topics.data &&
            (topics.data.length === 0 ? (
              <p className="empty">No topics yet.</p>
            ) : (
              <div className="table-wrap">
                <table className="data">
                  <caption className="sr-only">Topics and their event rates</caption>
                  <thead>
                    <tr>
                      <th scope="col">Topic</th>
                      <th scope="col">Events</th>
                      <th scope="col">Rate</th>
                      <th scope="col">Groups</th>
                    </tr>
                  </thead>
                  <tbody>
                    {topics.data.map((t) => (
                      <tr key={t.name} data-topic={t.name}>
                        <td>
                          <Link to={href("/topics", { topic: t.name })}>{t.name}</Link>
                        </td>
                        <td className="num">{formatNumber(t.eventCount)}</td>
                        <td className="num">{formatNumber(t.publishRate, 1)}/s</td>
                        <td className="num">{t.groups.length}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
        </section>
      </div>
    </div>
  );
}

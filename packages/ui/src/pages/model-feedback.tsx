import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useId, useMemo } from "react";

import { feedbackMetricsQuery } from "../api/queries.js";
import type { FeedbackMetrics, MetricSeries } from "../api/types.js";
import { MetricChart } from "../components/metric-chart.js";
import { ErrorNote, Loading } from "../components/status.js";
import { formatNumber } from "../format.js";
import { formatScore } from "./model-format.js";

/** The time windows the live accuracy can be shown over; the server cuts each into 60 buckets. */
const FEEDBACK_WINDOWS = [
  { value: "5m", label: "Last 5 minutes", ms: 5 * 60_000 },
  { value: "1h", label: "Last hour", ms: 3_600_000 },
  { value: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
] as const;

/** How often the scores are read again while on screen. */
const POLL_MS = 5000;

/** Accuracy per bucket as a chart series (a bucket without labels has no point). */
function accuracySeries(metrics: FeedbackMetrics): MetricSeries {
  return {
    name: "accuracy",
    points: metrics.points.flatMap((p) =>
      p.accuracy === null ? [] : [{ step: null, value: p.accuracy, timestamp: p.time }],
    ),
  };
}

function ByVersion({ metrics }: { metrics: FeedbackMetrics }): ReactNode {
  const rows = Object.entries(metrics.byVersion).sort(([a], [b]) => Number(b) - Number(a));
  return (
    <div className="table-wrap">
      <table className="data feedback stacked">
        <caption className="sr-only">Scores against late labels, per version</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col" className="num">
              Labels
            </th>
            <th scope="col" className="num">
              Accuracy
            </th>
            <th scope="col" className="num">
              Precision
            </th>
            <th scope="col" className="num">
              Recall
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([version, s]) => (
            <tr key={version} data-version={version}>
              <th scope="row">v{version}</th>
              <td className="num" data-label="Labels">
                {formatNumber(s.count)}
              </td>
              <td className="num" data-label="Accuracy">
                {formatScore(s.accuracy)}
              </td>
              <td className="num" data-label="Precision">
                {formatScore(s.precision)}
              </td>
              <td className="num" data-label="Recall">
                {formatScore(s.recall)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The served model's live accuracy: its predictions scored against the true labels posted for
 * them later, per time bucket (by label time) as a chart, and per version as a table.
 */
export function FeedbackSection({
  name,
  windowValue,
  onWindow,
  theme,
}: {
  name: string;
  windowValue: string;
  onWindow: (value: string) => void;
  theme: string;
}): ReactNode {
  const id = useId();
  const span = FEEDBACK_WINDOWS.find((w) => w.value === windowValue) ?? FEEDBACK_WINDOWS[1];
  const metrics = useQuery(feedbackMetricsQuery(name, span.ms, POLL_MS));
  const series = useMemo(() => (metrics.data ? accuracySeries(metrics.data) : null), [metrics.data]);
  const labels = metrics.data ? Object.values(metrics.data.byVersion).reduce((n, s) => n + s.count, 0) : 0;

  return (
    <section className="stack feedback-section" aria-labelledby={`${id}-h`}>
      <header className="page-head">
        <h2 id={`${id}-h`}>Live accuracy from late labels</h2>
        <label className="field">
          <span>Time window</span>
          <select value={span.value} onChange={(e) => onWindow(e.target.value)}>
            {FEEDBACK_WINDOWS.map((w) => (
              <option key={w.value} value={w.value}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
      </header>
      <ErrorNote error={metrics.error} retry={() => void metrics.refetch()} />
      {metrics.isPending && <Loading what="live accuracy" />}
      {metrics.data && labels === 0 && (
        <p className="empty card">
          No labels in this window. Post the true label of a prediction (<code>{"{ id, label }"}</code>) to{" "}
          <code>/api/models/{name}/labels</code> and its score appears here.
        </p>
      )}
      {series && labels > 0 && (
        <>
          <MetricChart series={series} axis="time" theme={theme} />
          <div className="card">
            <p className="muted small">
              {formatNumber(labels)} labelled predictions in the {span.label.toLowerCase()}, in buckets of{" "}
              {formatNumber(metrics.data!.bucketMs / 1000)} s; precision and recall are averaged over the
              classes.
            </p>
            <ByVersion metrics={metrics.data!} />
          </div>
        </>
      )}
    </section>
  );
}

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useState } from "react";

import { metricsQuery } from "../api/queries.js";
import type { MetricAxis } from "../components/metric-chart.js";
import { AxisSelect, MetricChart } from "../components/metric-chart.js";
import { ErrorNote, Loading } from "../components/status.js";

/** One line chart per logged metric; points pushed by the server are added to the cached series. */
export function RunMetricsTab({ runId, theme }: { runId: string; theme: string }): ReactNode {
  const [axis, setAxis] = useState<MetricAxis>("step");
  const metrics = useQuery(metricsQuery(runId));
  return (
    <div>
      <div className="toolbar">
        <AxisSelect axis={axis} onChange={setAxis} />
      </div>
      <ErrorNote error={metrics.error} retry={() => void metrics.refetch()} />
      {metrics.isPending && <Loading what="metrics" />}
      {metrics.data && metrics.data.length === 0 && (
        <p className="empty">This run has logged no metrics yet.</p>
      )}
      <div className="metric-grid">
        {metrics.data?.map((s) => (
          <MetricChart key={s.name} series={s} axis={axis} theme={theme} />
        ))}
      </div>
    </div>
  );
}

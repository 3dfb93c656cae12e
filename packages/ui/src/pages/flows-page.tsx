import type { ReactNode } from "react";
import { useState } from "react";

import { api } from "../api/client.js";
import { useLive } from "../api/live.js";
import { RunTable } from "../components/run-table.js";
import { ErrorNote, Loading } from "../components/status.js";
import { formatNumber } from "../format.js";
import { useAsync, useNow, useThrottled } from "../hooks.js";
import { href, Link } from "../router.js";

const SHOWN = 20;

function FlowCard({ name, runCount, now }: { name: string; runCount: number; now: number }): ReactNode {
  const runs = useAsync(
    (signal) => api.runs({ kind: "flow", flow: name, limit: 5, sort: "start-desc" }, signal),
    [name],
  );
  const refresh = useThrottled(runs.reload, 1000);
  useLive({ run: (r) => r.kind === "flow" && r.flowName === name && refresh(), reconnect: refresh });
  return (
    <section className="card" aria-labelledby={`flow-${name}`} data-flow={name}>
      <h2 id={`flow-${name}`}>
        <Link to={href("/runs", { flow: name })}>{name}</Link>{" "}
        <span className="muted">{formatNumber(runCount)} runs</span>
      </h2>
      <ErrorNote error={runs.error} retry={runs.reload} />
      {runs.data && (
        <RunTable runs={runs.data.items} now={now} caption={`Recent runs of ${name}`} showFlow={false} />
      )}
    </section>
  );
}

/** Each flow (most recently run first, 20 at a time) with its most recent runs. */
export function FlowsPage(): ReactNode {
  const flows = useAsync((signal) => api.flows(signal), []);
  const [shown, setShown] = useState(SHOWN);
  const now = useNow(1000);
  const refresh = useThrottled(flows.reload, 1000);
  useLive({ run: (r) => r.kind === "flow" && refresh(), reconnect: refresh });
  return (
    <div className="page">
      <header className="page-head">
        <h1>Flows {flows.data && <span className="muted">{formatNumber(flows.data.length)}</span>}</h1>
      </header>
      <ErrorNote error={flows.error} retry={flows.reload} />
      {flows.loading && !flows.data && <Loading what="flows" />}
      {flows.data?.length === 0 && <p className="empty">No flows have run yet.</p>}
      {flows.data?.slice(0, shown).map((f) => (
        <FlowCard key={f.name} name={f.name} runCount={f.runCount} now={now} />
      ))}
      {flows.data && flows.data.length > shown && (
        <div className="pager">
          <button type="button" onClick={() => setShown((n) => n + SHOWN)}>
            Show more flows ({formatNumber(flows.data.length - shown)} more)
          </button>
        </div>
      )}
    </div>
  );
}

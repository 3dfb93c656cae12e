import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useState } from "react";

import { flowsQuery, runsQuery } from "../api/queries.js";
import { RunTable } from "../components/run-table.js";
import { ErrorNote, Loading } from "../components/status.js";
import { formatNumber } from "../format.js";
import { useNow } from "../hooks.js";
import { Link } from "../router.js";

const SHOWN = 20;

function FlowCard({ name, runCount, now }: { name: string; runCount: number; now: number }): ReactNode {
  const runs = useQuery(runsQuery({ kind: "flow", flow: name, limit: 5, sort: "start-desc" }));
  return (
    <section className="card" aria-labelledby={`flow-${name}`} data-flow={name}>
      <h2 id={`flow-${name}`}>
        <Link to={`#/flows/${encodeURIComponent(name)}`}>{name}</Link>{" "}
        <span className="muted">{formatNumber(runCount)} runs</span>
      </h2>
      <ErrorNote error={runs.error} retry={() => void runs.refetch()} />
      {runs.data && (
        <RunTable runs={runs.data.items} now={now} caption={`Recent runs of ${name}`} showFlow={false} />
      )}
    </section>
  );
}

/** Each flow (most recently run first, 20 at a time) with its most recent runs. */
export function FlowsPage(): ReactNode {
  const flows = useQuery(flowsQuery());
  const [shown, setShown] = useState(SHOWN);
  const now = useNow(1000);
  return (
    <div className="page">
      <header className="page-head">
        <h1>Flows {flows.data && <span className="muted">{formatNumber(flows.data.length)}</span>}</h1>
      </header>
      <ErrorNote error={flows.error} retry={() => void flows.refetch()} />
      {flows.isPending && <Loading what="flows" />}
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

import "../deployments.css";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { workersQuery, workPoolsQuery } from "../api/queries.js";
import type { Worker } from "../api/types.js";
import { ErrorNote, Loading } from "../components/status.js";
import { formatAgo, formatDateTime, formatNumber } from "../format.js";
import { useNow } from "../hooks.js";
import { href, Link, navigate, useRoute } from "../router.js";

/**
 * A worker's health: offline once the server missed 3 heartbeats; online but late once one
 * heartbeat is overdue (the next miss or two will tell).
 */
function health(w: Worker, now: number): { label: string; state: "online" | "late" | "offline" } {
  if (w.status === "offline") return { label: "Offline", state: "offline" };
  const overdue = now - Date.parse(w.lastHeartbeatAt) > w.heartbeatIntervalMs * 1.5;
  return overdue ? { label: "Late heartbeat", state: "late" } : { label: "Online", state: "online" };
}

function WorkerRow({ worker: w, now }: { worker: Worker; now: number }): ReactNode {
  const h = health(w, now);
  return (
    <tr data-worker={w.name} data-status={w.status}>
      <th scope="row" className="worker-name">
        {w.name}
        <span className="muted small worker-id"> {w.id.slice(0, 8)}</span>
      </th>
      <td data-label="Health">
        <span className="health" data-health={h.state}>
          <span className="badge-dot" aria-hidden="true" />
          {h.label}
        </span>
      </td>
      <td data-label="Pool">
        <Link to={href("/workers", { pool: w.pool })}>{w.pool}</Link>
      </td>
      <td data-label="Running" className="num">
        {w.running} / {w.limit}
      </td>
      <td data-label="Last heartbeat" title={w.lastHeartbeatAt}>
        {formatAgo(w.lastHeartbeatAt, now)}
        <span className="muted small">
          {" "}
          every{" "}
          {w.heartbeatIntervalMs < 1000 ? `${w.heartbeatIntervalMs} ms` : `${w.heartbeatIntervalMs / 1000}s`}
        </span>
      </td>
      <td data-label="Started">{formatDateTime(w.createdAt)}</td>
    </tr>
  );
}

/**
 * Work pools and their workers with their health, polled every few seconds (heartbeats are not
 * pushed on the live channel). `?pool=` shows one pool's workers.
 */
export function WorkersPage(): ReactNode {
  const { query } = useRoute();
  const pool = query.get("pool") ?? "";
  const pools = useQuery(workPoolsQuery());
  const workers = useQuery(workersQuery());
  const now = useNow(1000);
  const shown = workers.data?.filter((w) => !pool || w.pool === pool);
  return (
    <div className="page">
      <header className="page-head">
        <h1>Workers</h1>
        {pool && (
          <button
            type="button"
            className="link-button"
            onClick={() => navigate("#/workers", { replace: true })}
          >
            Show all pools
          </button>
        )}
      </header>
      <section className="card" aria-labelledby="pools-h">
        <h2 id="pools-h">Work pools</h2>
        <ErrorNote error={pools.error} retry={() => void pools.refetch()} />
        {pools.isPending && <Loading what="work pools" />}
        {pools.data?.length === 0 && (
          <p className="empty">No work pools yet: a pool exists once a deployment or a worker names it.</p>
        )}
        {pools.data && pools.data.length > 0 && (
          <div className="table-wrap">
            <table className="data pools stacked-rows">
              <caption className="sr-only">Work pools</caption>
              <thead>
                <tr>
                  <th scope="col">Pool</th>
                  <th scope="col" className="num">
                    Workers online
                  </th>
                  <th scope="col" className="num">
                    Deployments
                  </th>
                  <th scope="col" className="num">
                    Queued runs
                  </th>
                </tr>
              </thead>
              <tbody>
                {pools.data.map((p) => (
                  <tr key={p.name} data-pool={p.name} aria-current={p.name === pool ? "true" : undefined}>
                    <th scope="row">
                      <Link to={href("/workers", { pool: p.name })}>{p.name}</Link>
                    </th>
                    <td
                      data-label="Workers online"
                      className="num"
                      data-health={p.onlineWorkers > 0 ? "online" : "offline"}
                    >
                      {formatNumber(p.onlineWorkers)} / {formatNumber(p.workers)}
                    </td>
                    <td data-label="Deployments" className="num">
                      <Link to={href("/deployments", { pool: p.name })}>{formatNumber(p.deployments)}</Link>
                    </td>
                    <td data-label="Queued runs" className="num">
                      {formatNumber(p.queued)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="workers-h">
        <h2 id="workers-h">Workers{pool ? ` in ${pool}` : ""}</h2>
        <ErrorNote error={workers.error} retry={() => void workers.refetch()} />
        {workers.isPending && <Loading what="workers" />}
        {shown?.length === 0 && (
          <p className="empty">
            No workers{pool ? ` in ${pool}` : ""}. Start one with{" "}
            <code>weir worker start --pool {pool || "default"}</code>.
          </p>
        )}
        {shown && shown.length > 0 && (
          <div className="table-wrap">
            <table className="data workers stacked-rows">
              <caption className="sr-only">Workers and their health</caption>
              <thead>
                <tr>
                  <th scope="col">Worker</th>
                  <th scope="col">Health</th>
                  <th scope="col">Pool</th>
                  <th scope="col" className="num">
                    Running
                  </th>
                  <th scope="col">Last heartbeat</th>
                  <th scope="col">Started</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((w) => (
                  <WorkerRow key={w.id} worker={w} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

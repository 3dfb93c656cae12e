import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import type { LogEdge, LogsData } from "../api/log-pages.js";
import { addBeyond, follow, freeze, readBeyond } from "../api/log-pages.js";
import { logsQuery, runQuery } from "../api/queries.js";
import type { LogFilters } from "../api/query-keys.js";
import { queryKeys } from "../api/query-keys.js";
import { TERMINAL_STATES } from "../api/types.js";
import { LogDownload } from "../components/log-download.js";
import { TaskSelect, taskParam, useTaskNames, useTaskRuns } from "../components/log-task-filter.js";
import { LogView } from "../components/log-view.js";
import { ErrorNote, Loading } from "../components/status.js";
import { useTimeZone } from "../components/time-zone-toggle.js";
import { formatTotal } from "../format.js";
import { href, navigate, useRoute } from "../router.js";

const LEVEL_OPTIONS = [
  { value: "", label: "All levels" },
  { value: "info", label: "Info and above" },
  { value: "warning", label: "Warning and above" },
  { value: "error", label: "Error and above" },
  { value: "critical", label: "Critical only" },
];

/** The view's filters, read from the address (`?level=warning&order=desc&q=threshold&task=<taskRunId>`). */
function useLogFilters(runId: string): [LogFilters, (patch: Record<string, string>) => void] {
  const { query } = useRoute();
  const level = LEVEL_OPTIONS.some((o) => o.value === query.get("level")) ? query.get("level")! : "";
  const order = query.get("order") === "desc" ? "desc" : "asc";
  const q = query.get("q") ?? "";
  const task = taskParam(query.get("task"));
  const filters = useMemo<LogFilters>(
    () => ({ level: level || undefined, order, q: q || undefined, taskRunId: task }),
    [level, order, q, task],
  );
  const update = (patch: Record<string, string>): void => {
    const next = new URLSearchParams(query);
    for (const [k, v] of Object.entries(patch)) {
      if (v === "" || (k === "order" && v === "asc")) next.delete(k);
      else next.set(k, v);
    }
    navigate(href(`/runs/${runId}`, next), { replace: true });
  };
  return [filters, update];
}

/**
 * A run's logs: task, level, order and search (kept in the address), a virtualised window of lines
 * that follows the newest and loads more as the reader scrolls, jumps to either end, and a download.
 * A flow run's lines written inside a task name it.
 */
export function RunLogsTab({ runId }: { runId: string }): ReactNode {
  const [filters, update] = useLogFilters(runId);
  const zone = useTimeZone();
  const client = useQueryClient();
  const run = useQuery(runQuery(runId));
  const logs = useQuery(logsQuery(runId, filters));
  const isFlow = run.data?.kind === "flow";
  const tasks = useTaskRuns(runId, isFlow);
  const taskNames = useTaskNames(tasks);
  const [jump, setJump] = useState<{ edge: LogEdge; n: number }>({ edge: "newest", n: 0 });
  const [pageError, setPageError] = useState<Error | null>(null);
  const reading = useRef(new Set<string>());

  // Typed text reaches the address (and the server) once typing pauses.
  const [search, setSearch] = useState(filters.q ?? "");
  const [typedFor, setTypedFor] = useState(filters.q);
  if (typedFor !== filters.q) {
    setTypedFor(filters.q);
    setSearch(filters.q ?? "");
  }
  useEffect(() => {
    if (search === (filters.q ?? "")) return;
    const id = setTimeout(() => update({ q: search }), 300);
    return () => clearTimeout(id);
  });

  const key = useMemo(() => queryKeys.logs(runId, filters), [runId, filters]);
  const setData = useCallback(
    (change: (data: LogsData) => LogsData) => client.setQueryData<LogsData>(key, (d) => d && change(d)),
    [client, key],
  );
  const onNeed = useCallback(
    (side: "older" | "newer") => {
      const data = client.getQueryData<LogsData>(key);
      const id = `${JSON.stringify(key)} ${side}`;
      if (!data || reading.current.has(id)) return;
      reading.current.add(id);
      readBeyond(runId, filters, data, side)
        .then((beyond) => beyond && setData((d) => addBeyond(d, beyond)))
        .catch((error: unknown) => setPageError(error instanceof Error ? error : new Error(String(error))))
        .finally(() => reading.current.delete(id));
    },
    [client, key, runId, filters, setData],
  );
  const jumpTo = useCallback(
    async (edge: LogEdge) => {
      setPageError(null);
      await client.fetchQuery({ ...logsQuery(runId, filters, edge), staleTime: 0 });
      setJump((j) => ({ edge, n: j.n + 1 }));
    },
    [client, runId, filters],
  );
  const onFreeze = useCallback(() => setData(freeze), [setData]);
  const onFollow = useCallback(() => {
    const data = client.getQueryData<LogsData>(key);
    const next = data && follow(data);
    if (next) client.setQueryData<LogsData>(key, next);
    else void jumpTo("newest");
  }, [client, key, jumpTo]);

  const data = logs.data;
  const live = run.data !== undefined && !TERMINAL_STATES.includes(run.data.state);
  const filtered = filters.level !== undefined || filters.q !== undefined || filters.taskRunId !== undefined;
  const fileName = run.data ? `${run.data.flowName}-${run.data.name}-logs.txt` : `${runId}-logs.txt`;

  return (
    <div className="logs-tab">
      <div className="toolbar" role="group" aria-label="Log options">
        {(tasks.length > 0 || filters.taskRunId !== undefined) && (
          <TaskSelect tasks={tasks} value={filters.taskRunId} onChange={(id) => update({ task: id })} />
        )}
        <label className="field">
          <span>Level</span>
          <select
            value={filters.level ?? ""}
            onChange={(e) => update({ level: e.target.value })}
            aria-label="Log level"
          >
            {LEVEL_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Order</span>
          <select
            value={filters.order}
            onChange={(e) => update({ order: e.target.value })}
            aria-label="Log order"
          >
            <option value="asc">Oldest first</option>
            <option value="desc">Newest first</option>
          </select>
        </label>
        <label className="field grow">
          <span>Search</span>
          <input
            type="search"
            value={search}
            placeholder="text in message…"
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <div className="jumps" role="group" aria-label="Jump">
          <button type="button" onClick={() => void jumpTo("oldest")}>
            Jump to oldest
          </button>
          <button type="button" onClick={() => void jumpTo("newest")}>
            Jump to newest
          </button>
        </div>
        <LogDownload runId={runId} filters={filters} fileName={fileName} />
      </div>
      <ErrorNote
        error={logs.error ?? pageError}
        retry={() => void jumpTo(data?.frozen ? "oldest" : "newest")}
      />
      {logs.isPending && <Loading what="logs" />}
      {data && (
        <p className="log-status muted small" aria-live="polite">
          <span data-testid="log-total">
            {formatTotal(data)} line{data.total === 1 && !data.totalCapped ? "" : "s"}
            {filtered ? " match" : ""}
          </span>
          {!data.frozen && live && <span className="following"> · following new lines</span>}
          {data.frozen && (live || data.unseen > 0) && (
            <button type="button" className="link-button" onClick={onFollow} data-testid="jump-latest">
              {data.unseen > 0
                ? `${data.unseen.toLocaleString()} new line${data.unseen === 1 ? "" : "s"} — jump to latest`
                : "Paused — jump to latest"}
            </button>
          )}
        </p>
      )}
      {data && data.lines.length === 0 ? (
        <p className="empty">No log lines{filtered ? " match these filters" : " yet"}.</p>
      ) : (
        data && (
          <LogView
            key={JSON.stringify(filters)}
            data={data}
            order={filters.order}
            zone={zone}
            taskNames={isFlow ? taskNames : undefined}
            onNeed={onNeed}
            onFreeze={onFreeze}
            onFollow={onFollow}
            jump={jump}
          />
        )
      )}
    </div>
  );
}

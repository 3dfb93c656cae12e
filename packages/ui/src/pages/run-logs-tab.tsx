import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

import { api } from "../api/client.js";
import { levelName } from "../api/log-level.js";
import { olderLinesCut } from "../api/log-pages.js";
import { logsQuery, runQuery } from "../api/queries.js";
import type { LogLine } from "../api/types.js";
import { ErrorNote, Loading } from "../components/status.js";
import { formatTime } from "../format.js";

const LEVEL_OPTIONS = [
  { value: "", label: "All levels" },
  { value: "info", label: "Info and above" },
  { value: "warning", label: "Warning and above" },
  { value: "error", label: "Error and above" },
  { value: "critical", label: "Critical only" },
];

function lineText(l: LogLine): string {
  const fields = l.fields && Object.keys(l.fields).length ? ` ${JSON.stringify(l.fields)}` : "";
  return `${l.timestamp} ${levelName(l.level).toUpperCase().padEnd(8)} ${l.message}${fields}`;
}

/** One line; memoised, so that a pushed line renders one row, not the whole log. */
const LogRow = memo(function LogRow({ line }: { line: LogLine }): ReactNode {
  const lv = levelName(line.level);
  return (
    <li className={`log-line level-${lv}`} data-level={lv.toUpperCase()}>
      <time dateTime={line.timestamp}>{formatTime(line.timestamp)}</time>
      <span className="level">{lv.toUpperCase()}</span>
      <span className="message">
        {line.message}
        {line.fields && Object.keys(line.fields).length > 0 && (
          <span className="fields"> {JSON.stringify(line.fields)}</span>
        )}
      </span>
    </li>
  );
});

/**
 * A run's logs: level filter, order, text search, live tail (pushed into the cached pages, bounded),
 * load more, download.
 */
export function RunLogsTab({ runId }: { runId: string }): ReactNode {
  const [level, setLevel] = useState("");
  const [order, setOrder] = useState<"asc" | "desc">("asc");
  const [search, setSearch] = useState("");
  const [q, setQ] = useState("");
  const [tail, setTail] = useState(true);
  const [downloading, setDownloading] = useState(false);
  const box = useRef<HTMLOListElement>(null);
  const run = useQuery(runQuery(runId));

  useEffect(() => {
    const id = setTimeout(() => setQ(search), 250);
    return () => clearTimeout(id);
  }, [search]);

  const filters = { level: level || undefined, order, q: q || undefined };
  const logs = useInfiniteQuery(logsQuery(runId, filters));
  const lines = useMemo(() => logs.data?.pages.flatMap((p) => p.items) ?? [], [logs.data]);
  const newBelow = logs.data?.pages.at(-1)?.newBelow ?? 0;
  const cut = logs.data !== undefined && olderLinesCut(logs.data, order);

  // Live tail: keep the newest line in view.
  useLayoutEffect(() => {
    const el = box.current;
    if (!tail || !el) return;
    if (order === "asc") el.scrollTop = el.scrollHeight;
    else el.scrollTop = 0;
  }, [lines, tail, order]);

  async function download(): Promise<void> {
    setDownloading(true);
    try {
      const all: LogLine[] = [];
      let next: string | null = null;
      do {
        const page = await api.logs(runId, {
          level: level || undefined,
          order: "asc",
          q: q || undefined,
          limit: 500,
          cursor: next,
        });
        all.push(...page.items);
        next = page.nextCursor;
      } while (next);
      const blob = new Blob([all.map(lineText).join("\n") + "\n"], { type: "text/plain" });
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = run.data ? `${run.data.flowName}-${run.data.name}-logs.txt` : `${runId}-logs.txt`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } finally {
      setDownloading(false);
    }
  }

  return (
    <div className="logs-tab">
      <div className="toolbar" role="group" aria-label="Log options">
        <label className="field">
          <span>Level</span>
          <select value={level} onChange={(e) => setLevel(e.target.value)} aria-label="Log level">
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
            value={order}
            onChange={(e) => setOrder(e.target.value as "asc" | "desc")}
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
        <label className="check">
          <input type="checkbox" checked={tail} onChange={(e) => setTail(e.target.checked)} />
          Live tail
        </label>
        <button type="button" onClick={() => void download()} disabled={downloading}>
          {downloading ? "Preparing…" : "Download"}
        </button>
      </div>
      <ErrorNote error={logs.error} retry={() => void logs.refetch()} />
      {logs.isPending && <Loading what="logs" />}
      {cut && order === "asc" && <OlderLinesNote />}
      {logs.data && lines.length === 0 && (
        <p className="empty">No log lines{level || q ? " match these filters" : " yet"}.</p>
      )}
      <ol
        className="log-lines"
        ref={box}
        role="log"
        aria-label="Log lines"
        tabIndex={0}
        data-count={lines.length}
      >
        {lines.map((l) => (
          <LogRow key={l.seq} line={l} />
        ))}
      </ol>
      {cut && order === "desc" && <OlderLinesNote />}
      {logs.hasNextPage && (
        <div className="pager">
          <button type="button" disabled={logs.isFetchingNextPage} onClick={() => void logs.fetchNextPage()}>
            Load more{newBelow > 0 ? ` (${newBelow} new)` : ""}
          </button>
        </div>
      )}
    </div>
  );
}

/** Said where lines left the view of a long live tail. */
function OlderLinesNote(): ReactNode {
  return (
    <p className="muted small" data-testid="older-lines-cut">
      Older lines are not shown here, to keep a long live tail fast. Download saves them all.
    </p>
  );
}

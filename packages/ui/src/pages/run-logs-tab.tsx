import type { ReactNode } from "react";
import { useEffect, useLayoutEffect, useRef, useState } from "react";

import { api } from "../api/client.js";
import { useLive } from "../api/live.js";
import type { LogLine, Run } from "../api/types.js";
import { ErrorNote, Loading } from "../components/status.js";
import { formatTime } from "../format.js";
import { useAsync } from "../hooks.js";
import { levelName, levelRank } from "./log-level.js";

const LEVEL_OPTIONS = [
  { value: "", label: "All levels" },
  { value: "info", label: "Info and above" },
  { value: "warning", label: "Warning and above" },
  { value: "error", label: "Error and above" },
  { value: "critical", label: "Critical only" },
];
const PAGE = 200;

function lineText(l: LogLine): string {
  const fields = l.fields && Object.keys(l.fields).length ? ` ${JSON.stringify(l.fields)}` : "";
  return `${l.timestamp} ${levelName(l.level).toUpperCase().padEnd(8)} ${l.message}${fields}`;
}

/** A run's logs: level filter, order, text search, live tail (pushed), load more, download. */
export function RunLogsTab({ run }: { run: Run }): ReactNode {
  const [level, setLevel] = useState("");
  const [order, setOrder] = useState<"asc" | "desc">("asc");
  const [search, setSearch] = useState("");
  const [q, setQ] = useState("");
  const [tail, setTail] = useState(true);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [pendingBelow, setPendingBelow] = useState(0);
  const [downloading, setDownloading] = useState(false);
  const box = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const id = setTimeout(() => setQ(search), 250);
    return () => clearTimeout(id);
  }, [search]);

  // Lines pushed while the first page is in flight are kept here and merged into it, so a line
  // stored between the query and the subscription is never lost.
  const early = useRef<LogLine[] | null>(null);

  const first = useAsync(
    async (signal) => {
      early.current = [];
      const page = await api.logs(
        run.id,
        { level: level || undefined, order, q: q || undefined, limit: PAGE },
        signal,
      );
      const seen = new Set(page.items.map((l) => l.seq));
      const extra = (early.current ?? []).filter((l) => !seen.has(l.seq));
      early.current = null;
      let items = page.items;
      if (order === "desc") items = [...extra.reverse(), ...items];
      else if (!page.nextCursor) items = [...items, ...extra];
      setLines(items);
      setCursor(page.nextCursor);
      setPendingBelow(0);
      return page;
    },
    [run.id, level, order, q],
  );

  const matches = (l: LogLine): boolean =>
    (!level || levelRank(l.level) >= levelRank(level)) &&
    (!q || l.message.toLowerCase().includes(q.toLowerCase()));

  useLive(
    {
      log: (l) => {
        if (l.runId !== run.id || !matches(l)) return;
        if (early.current) {
          early.current.push(l);
          return;
        }
        if (order === "asc" && cursor) {
          // Older pages are still unloaded above the end; the line will arrive with them.
          setPendingBelow((n) => n + 1);
          return;
        }
        setLines((old) => {
          if (old.some((x) => x.seq === l.seq)) return old;
          return order === "desc" ? [l, ...old] : [...old, l];
        });
      },
      reconnect: first.reload,
    },
    run.id,
  );

  // Live tail: keep the newest line in view.
  useLayoutEffect(() => {
    const el = box.current;
    if (!tail || !el) return;
    if (order === "asc") el.scrollTop = el.scrollHeight;
    else el.scrollTop = 0;
  }, [lines, tail, order]);

  async function loadMore(): Promise<void> {
    if (!cursor) return;
    const page = await api.logs(run.id, {
      level: level || undefined,
      order,
      q: q || undefined,
      limit: PAGE,
      cursor,
    });
    setLines((old) => {
      const seen = new Set(old.map((l) => l.seq));
      return [...old, ...page.items.filter((l) => !seen.has(l.seq))];
    });
    setCursor(page.nextCursor);
  }

  async function download(): Promise<void> {
    setDownloading(true);
    try {
      const all: LogLine[] = [];
      let next: string | null = null;
      do {
        const page = await api.logs(run.id, {
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
      a.download = `${run.flowName}-${run.name}-logs.txt`;
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
      <ErrorNote error={first.error} retry={first.reload} />
      {first.loading && !first.data && <Loading what="logs" />}
      {first.data && lines.length === 0 && (
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
        {lines.map((l) => {
          const lv = levelName(l.level);
          return (
            <li key={l.seq} className={`log-line level-${lv}`} data-level={lv.toUpperCase()}>
              <time dateTime={l.timestamp}>{formatTime(l.timestamp)}</time>
              <span className="level">{lv.toUpperCase()}</span>
              <span className="message">
                {l.message}
                {l.fields && Object.keys(l.fields).length > 0 && (
                  <span className="fields"> {JSON.stringify(l.fields)}</span>
                )}
              </span>
            </li>
          );
        })}
      </ol>
      {cursor && (
        <div className="pager">
          <button type="button" onClick={() => void loadMore()}>
            Load more{pendingBelow > 0 ? ` (${pendingBelow} new)` : ""}
          </button>
        </div>
      )}
    </div>
  );
}

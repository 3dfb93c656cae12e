import { useVirtualizer } from "@tanstack/react-virtual";
import type { ReactNode } from "react";
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

import { levelName } from "../api/log-level.js";
import type { LogsData } from "../api/log-pages.js";
import type { LogLine } from "../api/types.js";
import type { TimeZoneChoice } from "../format.js";
import { formatDateTime, formatTime } from "../format.js";
import { unnamedTask } from "./log-task-filter.js";

/** Rows rendered beyond the visible ones, and how near a window's edge the next page is read. */
const OVERSCAN = 12;
const NEAR_EDGE = 150;
/** A scroll this soon after a wheel, touch, key or pointer press in the view is the reader's. */
const INTENT_MS = 800;

type Side = "top" | "bottom";

/** What a line's task chip says: its task run's name; nothing outside a task or without names. */
const taskOf = (line: LogLine, names: ReadonlyMap<string, string> | undefined): string | undefined =>
  names && line.taskRunId !== null ? (names.get(line.taskRunId) ?? unnamedTask(line.taskRunId)) : undefined;

/** One line, memoised: a pushed line renders one row, not the window. */
const LogRow = memo(function LogRow({
  line,
  task,
  start,
  index,
  measure,
}: {
  line: LogLine;
  /** The name of the task run that wrote the line; `undefined` outside any task. */
  task: string | undefined;
  start: number;
  index: number;
  measure: (el: Element | null) => void;
  zone: TimeZoneChoice;
}): ReactNode {
  const lv = levelName(line.level);
  return (
    <li
      ref={measure}
      data-index={index}
      data-seq={line.seq}
      className={`log-line level-${lv}`}
      data-level={lv.toUpperCase()}
      style={{ transform: `translateY(${start}px)` }}
    >
      <time dateTime={line.timestamp} title={formatDateTime(line.timestamp)}>
        {formatTime(line.timestamp)}
      </time>
      <span className="level">{lv.toUpperCase()}</span>
      <span className="message">
        {task !== undefined && (
          <span className="task-chip" data-task-run-id={line.taskRunId} title={`Written by task run ${task}`}>
            <span className="sr-only">Task </span>
            {task}
          </span>
        )}
        {task !== undefined && " "}
        {line.message}
        {line.fields && Object.keys(line.fields).length > 0 && (
          <span className="fields"> {JSON.stringify(line.fields)}</span>
        )}
      </span>
    </li>
  );
});

export interface LogViewProps {
  data: LogsData;
  order: "asc" | "desc";
  zone: TimeZoneChoice;
  /** Task run id → name, for the chip before each line written inside a task (a flow run's view). */
  taskNames?: ReadonlyMap<string, string>;
  /** Asked when the reader nears a side of the window beyond which the run has more lines. */
  onNeed: (side: "older" | "newer") => void;
  /** The reader scrolled away from the newest line. */
  onFreeze: () => void;
  /** The reader scrolled back to the newest line. */
  onFollow: () => void;
  /** Changed to scroll to the oldest or newest line of the window once it is shown. */
  jump: { edge: "oldest" | "newest"; n: number };
}

/**
 * A run's log lines, virtualised (only the rows in view are in the page). While the window follows
 * the newest line, the view stays on it; otherwise the lines the reader looks at stay where they
 * are when lines are added or let go on either side.
 */
export function LogView({
  data,
  order,
  zone,
  taskNames,
  onNeed,
  onFreeze,
  onFollow,
  jump,
}: LogViewProps): ReactNode {
  const box = useRef<HTMLDivElement>(null);
  const display = useMemo(() => (order === "asc" ? data.lines : data.lines.slice().reverse()), [data, order]);
  const liveSide: Side = order === "asc" ? "bottom" : "top";
  const sideOf = (edge: "oldest" | "newest"): Side =>
    (edge === "newest") === (order === "asc") ? "bottom" : "top";
  // Where the view stays while the window does not follow: the side a jump went to (a window read
  // at the oldest line opens there), until the reader scrolls away from it.
  const [pinned, setPinned] = useState<{ side: Side | null; jump: LogViewProps["jump"] }>(() => ({
    side: data.frozen ? sideOf("oldest") : null,
    jump,
  }));
  if (pinned.jump !== jump) setPinned({ side: sideOf(jump.edge), jump });
  const anchor = useRef<{ seq: number; offset: number } | null>(null);
  const intentAt = useRef(0);
  const pin: Side | null = data.frozen ? pinned.side : liveSide;

  const getItemKey = useCallback((i: number) => display[i]?.seq ?? i, [display]);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual: its object changes in place
  const virtualizer = useVirtualizer({
    count: display.length,
    getScrollElement: () => box.current,
    estimateSize: () => 20,
    overscan: OVERSCAN,
    getItemKey,
  });
  const items = virtualizer.getVirtualItems();
  const total = virtualizer.getTotalSize();

  /** Notes which line is at the top of the view, and where, to keep it there when lines change. */
  const noteAnchor = (): void => {
    const el = box.current;
    if (!el) return;
    const top = virtualizer.getVirtualItems().find((v) => v.end > el.scrollTop);
    const line = top ? display[top.index] : undefined;
    anchor.current = top && line ? { seq: line.seq, offset: top.start - el.scrollTop } : null;
  };

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (pin === "top") el.scrollTop = 0;
    else if (pin === "bottom") el.scrollTop = el.scrollHeight;
    else if (anchor.current) {
      const { seq, offset } = anchor.current;
      const index = display.findIndex((l) => l.seq === seq);
      const start = index >= 0 ? virtualizer.measurementsCache[index]?.start : undefined;
      if (start !== undefined && Math.abs(el.scrollTop - (start - offset)) > 1) el.scrollTop = start - offset;
    }
    noteAnchor();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- re-placed whenever the rows or their sizes change
  }, [display, total, pin]);

  const firstIndex = items[0]?.index ?? 0;
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    // At an edge it stays on (following, or after a jump) the view needs nothing more until scrolled.
    if (display.length === 0 || pin !== null) return;
    const topSide = order === "asc" ? "older" : "newer";
    const bottomSide = order === "asc" ? "newer" : "older";
    const has = (side: "older" | "newer"): boolean => (side === "older" ? data.hasOlder : data.hasNewer);
    if (firstIndex < NEAR_EDGE && has(topSide)) onNeed(topSide);
    if (lastIndex > display.length - NEAR_EDGE && has(bottomSide)) onNeed(bottomSide);
  }, [firstIndex, lastIndex, display, order, data.hasOlder, data.hasNewer, onNeed, pin]);

  const onScroll = (): void => {
    const el = box.current;
    if (!el) return;
    noteAnchor();
    if (Date.now() - intentAt.current > INTENT_MS) return;
    const distance = (side: Side): number =>
      side === "top" ? el.scrollTop : el.scrollHeight - el.clientHeight - el.scrollTop;
    if (pin !== null && distance(pin) > 30) {
      setPinned({ side: null, jump });
      if (!data.frozen) onFreeze();
    } else if (pin === null && data.frozen && !data.hasNewer && distance(liveSide) < 4) onFollow();
  };
  const intent = (): void => {
    intentAt.current = Date.now();
  };

  return (
    <div
      ref={box}
      className="log-view"
      role="log"
      aria-label="Log lines"
      tabIndex={0}
      data-count={display.length}
      data-following={!data.frozen}
      onScroll={onScroll}
      onWheel={intent}
      onTouchStart={intent}
      onPointerDown={intent}
      onKeyDown={intent}
    >
      <ol className="log-rows" style={{ height: total }}>
        {items.map((v) => {
          const line = display[v.index];
          return line ? (
            <LogRow
              key={v.key}
              line={line}
              task={taskOf(line, taskNames)}
              start={v.start}
              index={v.index}
              measure={virtualizer.measureElement}
              zone={zone}
            />
          ) : null;
        })}
      </ol>
    </div>
  );
}

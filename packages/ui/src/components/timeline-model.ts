import type { Run, StateHistoryEntry, StateType } from "../api/types.js";

/** One attempt of a run on the timeline: from its Running (or Retrying) state to the state that ended it. */
export interface TimelineBar {
  start: number;
  end: number;
  /** The state that ended the attempt (`AwaitingRetry` for a failed attempt that was retried), or the run's state while it runs. */
  state: StateType;
  /** 1 for the first attempt. */
  attempt: number;
  /** Still running: `end` is now. */
  open: boolean;
}

/** A run on the timeline, `depth` levels below the run the timeline is of. */
export interface TimelineRow {
  run: Run;
  depth: number;
  bars: TimelineBar[];
}

const STARTS = new Set<StateType>(["Running", "Retrying"]);
const ENDS = new Set<StateType>(["AwaitingRetry", "Completed", "Failed", "Crashed", "Cancelled", "TimedOut"]);

const timeOf = (iso: string | null): number | undefined => {
  const t = iso === null ? Number.NaN : Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
};

/**
 * A run's attempts, from its state history when it was retried (each `Running`/`Retrying` opens an
 * attempt, `AwaitingRetry` or a final state closes it), else one bar from its recorded start to
 * its recorded end. A run that never started has none.
 * @example attemptsOf(run, history, Date.now()).length; // 2 for a task that succeeded on its retry
 */
export function attemptsOf(run: Run, history: StateHistoryEntry[] | undefined, now: number): TimelineBar[] {
  const start = timeOf(run.startTime);
  if (start === undefined) return [];
  const end = timeOf(run.endTime);
  if (run.runCount <= 1 || history === undefined)
    return [{ start, end: end ?? now, state: run.state, attempt: 1, open: end === undefined }];
  const bars: TimelineBar[] = [];
  let open: number | undefined;
  for (const entry of history) {
    const at = timeOf(entry.timestamp);
    if (at === undefined) continue;
    if (STARTS.has(entry.type) && open === undefined) open = at;
    else if (ENDS.has(entry.type) && open !== undefined) {
      bars.push({ start: open, end: at, state: entry.type, attempt: bars.length + 1, open: false });
      open = undefined;
    }
  }
  if (open !== undefined)
    bars.push({
      start: open,
      end: end ?? now,
      state: run.state,
      attempt: bars.length + 1,
      open: end === undefined,
    });
  return bars;
}

/**
 * The rows of a run's timeline: the run, then each run it called (task runs and child flow runs,
 * by `parentRunId`) under its caller, callers' runs in start order. A run whose caller is not among
 * `related` (e.g. past the list's limit) hangs under the root.
 * @example buildRows(flowRun, [...tasks, ...children], histories, Date.now()).map((r) => r.depth);
 */
export function buildRows(
  root: Run,
  related: readonly Run[],
  histories: ReadonlyMap<string, StateHistoryEntry[]>,
  now: number,
): TimelineRow[] {
  const ids = new Set([root.id, ...related.map((r) => r.id)]);
  const callees = new Map<string, Run[]>();
  for (const run of related) {
    if (run.id === root.id) continue;
    const caller = run.parentRunId !== null && ids.has(run.parentRunId) ? run.parentRunId : root.id;
    callees.set(caller, [...(callees.get(caller) ?? []), run]);
  }
  const order = (r: Run): number => timeOf(r.startTime) ?? timeOf(r.createdAt) ?? 0;
  const rows: TimelineRow[] = [];
  const seen = new Set<string>();
  // Depth-first with an explicit stack, so a (corrupt) cycle of parents cannot recurse forever.
  const stack: { run: Run; depth: number }[] = [{ run: root, depth: 0 }];
  while (stack.length > 0) {
    const { run, depth } = stack.pop()!;
    if (seen.has(run.id)) continue;
    seen.add(run.id);
    rows.push({ run, depth, bars: attemptsOf(run, histories.get(run.id), now) });
    const next = [...(callees.get(run.id) ?? [])].sort((a, b) => order(b) - order(a));
    for (const callee of next) stack.push({ run: callee, depth: depth + 1 });
  }
  return rows;
}

/** The time span the rows cover: the earliest start to the latest end (at least a millisecond). */
export function spanOf(rows: readonly TimelineRow[]): { t0: number; t1: number } | undefined {
  const bars = rows.flatMap((r) => r.bars);
  if (bars.length === 0) return undefined;
  const t0 = Math.min(...bars.map((b) => b.start));
  const t1 = Math.max(...bars.map((b) => b.end));
  return { t0, t1: Math.max(t1, t0 + 1) };
}

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useMemo } from "react";

import { runsQuery } from "../api/queries.js";
import type { Run } from "../api/types.js";

/** A task run id as the server accepts it in `?taskRunId=`; anything else in the address is ignored. */
const TASK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `?task=` of the address when it can name a task run, else `undefined`. */
export const taskParam = (value: string | null): string | undefined =>
  value !== null && TASK_ID.test(value) ? value.toLowerCase() : undefined;

/** A flow run's task runs (the list the Timeline and Task runs tabs read: one request for all). */
export function useTaskRuns(runId: string, enabled: boolean): readonly Run[] {
  const tasks = useQuery({
    ...runsQuery({ kind: "task", flowRunId: runId, sort: "start-asc", limit: 500 }),
    enabled,
  });
  return enabled ? (tasks.data?.items ?? []) : [];
}

/** What a log line's task chip says for a task run it cannot name (not among the first 500). */
export const unnamedTask = (id: string): string => `task ${id.slice(0, 8)}`;

/** Task run id → the name its log lines show. */
export function useTaskNames(tasks: readonly Run[]): ReadonlyMap<string, string> {
  return useMemo(() => new Map(tasks.map((t) => [t.id, t.name])), [tasks]);
}

/**
 * The Logs tab's Task filter: all lines, or those written inside one task run (retried runs say
 * how many attempts they took; every attempt's lines are the task run's).
 */
export function TaskSelect({
  tasks,
  value,
  onChange,
}: {
  tasks: readonly Run[];
  value: string | undefined;
  onChange: (taskRunId: string) => void;
}): ReactNode {
  const known = value === undefined || tasks.some((t) => t.id === value);
  return (
    <label className="field task-filter">
      <span>Task</span>
      <select value={value ?? ""} onChange={(e) => onChange(e.target.value)} aria-label="Task">
        <option value="">All tasks</option>
        {tasks.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
            {t.runCount > 1 ? ` (${t.runCount} attempts)` : ""}
          </option>
        ))}
        {!known && <option value={value}>{unnamedTask(value)}</option>}
      </select>
    </label>
  );
}

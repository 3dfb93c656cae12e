/** Row types of the control-plane tables. Times are epoch milliseconds; JSON is stored as text. */

export interface RunsTable {
  id: string;
  kind: string;
  flow_name: string;
  task_name: string | null;
  name: string;
  parent_run_id: string | null;
  flow_run_id: string | null;
  parameters: string;
  tags: string;
  version: string | null;
  description: string | null;
  state: string;
  state_message: string | null;
  state_time: number;
  created_at: number;
  /** start_time once the run started, created_at before: the key of every time-ordered list. */
  sort_time: number;
  start_time: number | null;
  end_time: number | null;
  duration_ms: number | null;
  run_count: number;
  heartbeat_interval_ms: number | null;
  last_heartbeat_at: number | null;
}

export interface RunStatesTable {
  id: string;
  run_id: string;
  position: number;
  type: string;
  message: string | null;
  timestamp: number;
  /** "server" for a liveness verdict; null for a state proposed through the API. */
  origin: string | null;
}

export interface RunTagsTable {
  run_id: string;
  tag: string;
  sort_time: number;
}

export interface LogsTable {
  run_id: string;
  seq: number;
  level_no: number;
  message: string;
  fields: string | null;
  timestamp: number;
  task_run_id: string | null;
}

export interface MetricsTable {
  run_id: string;
  seq: number;
  name: string;
  value: number;
  step: number | null;
  timestamp: number;
}

export interface ArtifactsTable {
  id: string;
  key: string | null;
  version: number;
  run_id: string;
  type: string;
  data: string;
  description: string | null;
  created_at: number;
}

export interface CheckpointsTable {
  scope: string;
  key: string;
  value: string;
  version: number;
  updated_at: number;
}

export interface FlowsTable {
  name: string;
  run_count: number;
  last_run_id: string | null;
  last_run_at: number | null;
}

export interface Database {
  runs: RunsTable;
  run_states: RunStatesTable;
  run_tags: RunTagsTable;
  logs: LogsTable;
  metrics: MetricsTable;
  artifacts: ArtifactsTable;
  checkpoints: CheckpointsTable;
  flows: FlowsTable;
}

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
  // ── deployments (migration 0005-deployments) ──
  deployment_id: string | null;
  deployment_version: number | null;
  work_pool: string | null;
  worker_id: string | null;
  scheduled_for: number | null;
  /** `scheduled_for` of a run the scheduler created for a schedule slot (unique per deployment), else null. */
  slot: number | null;
  restart_of: string | null;
  /** How many restarts in a row led to this run (0 for a run that is no restart). */
  restart_count: number;
  retry_of: string | null;
  cancel_requested_at: number | null;
  timeout_seconds: number | null;
  /** When a worker claimed it (server clock). */
  claimed_at: number | null;
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

export interface DeploymentsTable {
  id: string;
  name: string;
  version: number;
  /** The current version's record (the wire `DeploymentRecord` without the mutable fields), JSON. */
  spec: string;
  work_pool: string;
  paused: number;
  concurrency_limit: number | null;
  late_after_ms: number;
  /** JSON of the schedule, or null. */
  schedule: string | null;
  /** The latest slot the scheduler has created runs up to (epoch ms), null before the first pass. */
  scheduled_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface DeploymentVersionsTable {
  deployment_id: string;
  version: number;
  spec: string;
  created_at: number;
}

export interface WorkersTable {
  id: string;
  name: string;
  pool: string;
  run_limit: number;
  heartbeat_interval_ms: number;
  last_heartbeat_at: number;
  created_at: number;
  status: string;
}

/** A model of the registry: a name with numbered versions (issue 15). */
export interface ModelsTable {
  name: string;
  latest_version: number;
  created_at: number;
  /** Moved by every publish and alias change: replicas poll it to refresh what they serve. */
  updated_at: number;
}

export interface ModelVersionsTable {
  name: string;
  version: number;
  created_at: number;
  run_id: string | null;
  step: number | null;
  /** JSON text of the offset (a number or a string), or null. */
  offset_json: string | null;
  /** JSON text of `{ metric: number }`. */
  metrics: string;
  learn_version: string | null;
  description: string | null;
  size_bytes: number;
  input_type: string;
  /** The checkpoint JSON, gzip-compressed (BLOB on SQLite, bytea on PostgreSQL). */
  checkpoint: Buffer;
}

export interface ModelAliasesTable {
  name: string;
  alias: string;
  version: number;
  /** 1 when the alias moves to each new version. */
  follow_latest: number;
  updated_at: number;
}

export interface ModelAliasHistoryTable {
  name: string;
  alias: string;
  position: number;
  /** null: the alias was deleted. */
  version: number | null;
  follow_latest: number;
  changed_at: number;
}

/** A prediction kept for late labels until the retention window passes. */
export interface ModelPredictionsTable {
  id: string;
  name: string;
  version: number;
  /** JSON text of the input. */
  input: string;
  /** JSON text of the predicted label (`null` before the model learned anything). */
  label: string;
  /** JSON text of `[[label, p], …]` (labels keep their type). */
  probabilities: string;
  created_at: number;
  /** JSON text of the true label once it arrived. */
  true_label: string | null;
  labelled_at: number | null;
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
  deployments: DeploymentsTable;
  deployment_versions: DeploymentVersionsTable;
  workers: WorkersTable;
  models: ModelsTable;
  model_versions: ModelVersionsTable;
  model_aliases: ModelAliasesTable;
  model_alias_history: ModelAliasHistoryTable;
  model_predictions: ModelPredictionsTable;
}

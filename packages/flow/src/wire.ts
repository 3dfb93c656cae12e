/**
 * The request bodies `@weir/flow` sends (types of `@weir/protocol`, see docs/api.md) and the records of
 * the outbox: one record = one thing to deliver, kept in the order it was produced. Internal.
 */
import type {
  CreateArtifact,
  CreateRun,
  IngestBatch,
  LogInput,
  MetricInput,
  RunStateProposal,
  StateType,
} from "@weir/protocol";

/** `POST /api/runs` body; the client always generates the id, so that creation is idempotent. */
export type CreateRunBody = CreateRun & { id: string };
export type WireLog = LogInput;
export type WireMetricPoint = MetricInput;
export type WireStateProposal = RunStateProposal;
export type IngestBody = IngestBatch;
export type ArtifactBody = CreateArtifact;
export type RunStateType = StateType;

/** One item to deliver. The outbox and the spool keep them in the order they were produced. */
export type OutboxRecord =
  | { t: "run"; body: CreateRunBody }
  | { t: "log"; log: WireLog }
  | { t: "metric"; point: WireMetricPoint }
  | { t: "state"; state: WireStateProposal }
  | { t: "artifact"; runId: string; body: ArtifactBody };

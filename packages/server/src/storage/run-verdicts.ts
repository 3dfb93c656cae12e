import { isTerminalState } from "@weir/protocol";
import type { StateType } from "@weir/protocol";
import type { Kysely } from "kysely";

import type { Database, RunsTable } from "./schema.js";

/**
 * The one exception to "terminal states are final". The liveness check's `Crashed` is a guess from
 * silence: a process whose heartbeats and batches could not reach the server (it was down, or the
 * network was cut) looks exactly like a dead one. So a later word of the client may overturn it:
 *
 * - `supersede`: the client's own final state, stamped (client clock) before the verdict — a spool
 *   replayed after the verdict carries what really happened. It becomes the run's state; the
 *   verdict stays in the history before it.
 * - `revive`: heartbeats arrive again for a run the verdict called dead — it is alive. The server
 *   moves it back to `Running` (no new attempt: `runCount` is unchanged).
 *
 * A `Crashed` proposed by a client, and any other terminal state, is final as before.
 */
export type VerdictOverride = "supersede" | "revive";

/** Who proposes a transition: a client through the API, or the server itself (liveness). */
export type StateOrigin = "client" | "server";

/**
 * Whether `proposal` may overturn the run's current state (see {@link VerdictOverride}); `at` is
 * the proposal's time (its client timestamp, or the receipt time when it has none).
 */
export async function verdictOverride(
  db: Kysely<Database>,
  row: RunsTable,
  proposal: { type: StateType; origin?: StateOrigin | undefined; timestamp?: string | undefined },
  at: number,
): Promise<VerdictOverride | undefined> {
  if (row.state !== "Crashed") return undefined;
  const byServer = proposal.origin === "server";
  const revival = byServer && proposal.type === "Running";
  const replay = !byServer && isTerminalState(proposal.type) && proposal.timestamp !== undefined;
  if (!revival && !replay) return undefined;
  const verdict = await db
    .selectFrom("run_states")
    .select(["origin", "timestamp"])
    .where("run_id", "=", row.id)
    .orderBy("position", "desc")
    .limit(1)
    .executeTakeFirst();
  if (verdict?.origin !== "server") return undefined;
  if (revival) return "revive";
  return at < Number(verdict.timestamp) ? "supersede" : undefined;
}

import "../deployments.css";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useState } from "react";

import { useCancelRun, useRetryRun } from "../api/mutations.js";
import { deploymentQuery } from "../api/queries.js";
import { TERMINAL_STATES } from "../api/types.js";
import type { Run } from "../api/types.js";
import { formatDateTime } from "../format.js";
import { navigate } from "../router.js";

/**
 * Cancel (a flow run that has not ended; asks once more before sending) and Retry (a finished run
 * of a deployment: a new run with the same parameters, opened at once). Hand-started runs cannot be
 * retried: the server has no code to start them with.
 */
export function RunActions({ run }: { run: Run }): ReactNode {
  const cancel = useCancelRun(run.id);
  const retry = useRetryRun(run.id);
  const [confirming, setConfirming] = useState(false);
  if (run.kind !== "flow") return null;
  const terminal = TERMINAL_STATES.includes(run.state);
  const cancelling = run.state === "Cancelling" || cancel.isPending;
  const error = cancel.error ?? retry.error;

  return (
    <div className="run-actions" role="group" aria-label="Run actions">
      {!terminal &&
        (cancelling ? (
          <button type="button" disabled data-testid="cancelling">
            Cancelling…
          </button>
        ) : confirming ? (
          <>
            <span className="small">Cancel this run?</span>
            <button
              type="button"
              className="danger"
              autoFocus
              onClick={() => {
                setConfirming(false);
                cancel.mutate();
              }}
            >
              Yes, cancel it
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep running
            </button>
          </>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Cancel run
          </button>
        ))}
      {terminal && run.deploymentId !== null && (
        <button
          type="button"
          disabled={retry.isPending}
          onClick={() =>
            retry.mutate(undefined, { onSuccess: (created) => navigate(`#/runs/${created.id}`) })
          }
        >
          {retry.isPending ? "Retrying…" : "Retry"}
        </button>
      )}
      {error && (
        <span className="field-error" role="alert">
          {error.message}
        </span>
      )}
    </div>
  );
}

/** The run's links to its deployment and to the run it retries or restarts, as `<dl>` entries. */
export function RunOrigin({ run: r }: { run: Run }): ReactNode {
  const deployment = useQuery({
    ...deploymentQuery(r.deploymentId ?? ""),
    enabled: r.deploymentId !== null,
    refetchInterval: false,
  }).data;
  return (
    <>
      {r.deploymentId && (
        <div>
          <dt>Deployment</dt>
          <dd>
            <a href={`#/deployments/${r.deploymentId}`} data-testid="run-deployment">
              {deployment?.name ?? "deployment"}
              {r.deploymentVersion !== null && ` v${r.deploymentVersion}`}
            </a>
            {r.scheduledFor && <span className="muted small"> for {formatDateTime(r.scheduledFor)}</span>}
          </dd>
        </div>
      )}
      {r.retryOf && (
        <div>
          <dt>Retry of</dt>
          <dd>
            <a href={`#/runs/${r.retryOf}`} data-testid="run-retry-of">
              earlier run
            </a>
          </dd>
        </div>
      )}
      {r.restartOf && (
        <div>
          <dt>Restart of</dt>
          <dd>
            <a href={`#/runs/${r.restartOf}`}>previous run</a>
          </dd>
        </div>
      )}
      {r.workerId && (
        <div>
          <dt>Worker</dt>
          <dd>
            <a href="#/workers">{r.workerId.slice(0, 8)}</a>
          </dd>
        </div>
      )}
    </>
  );
}

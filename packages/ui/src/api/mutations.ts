import { useMutation, useQueryClient } from "@tanstack/react-query";

import { queryKeys } from "./query-keys.js";
import type { Run } from "./types.js";
import { writes } from "./writes.js";

/** Whatever shows deployments (lists and pages): their next and last runs change with every write. */
const DEPLOYMENTS = { queryKey: ["deployments"] };

/**
 * "Run now" on a deployment with these parameters (merged over its defaults by the server).
 * @example const run = useRunDeployment("monitor"); run.mutate({ threshold: 0.7 });
 */
export function useRunDeployment(idOrName: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (parameters: Record<string, unknown>) => writes.runDeployment(idOrName, parameters),
    onSuccess: (run) => {
      client.setQueryData<Run>(queryKeys.run(run.id), run);
      void client.invalidateQueries(DEPLOYMENTS);
    },
  });
}

/** Pauses (`true`) or resumes (`false`) a deployment's schedule. */
export function usePauseDeployment(idOrName: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (paused: boolean) => writes.pauseDeployment(idOrName, paused),
    onSuccess: () => client.invalidateQueries(DEPLOYMENTS),
  });
}

/** Asks the server to cancel a run; the answer (Cancelling or Cancelled) replaces the cached run. */
export function useCancelRun(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => writes.cancelRun(id),
    onSuccess: (run) => client.setQueryData<Run>(queryKeys.run(run.id), run),
  });
}

/** Starts a new run of a finished run's deployment with the same parameters (linked by `retryOf`). */
export function useRetryRun(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => writes.retryRun(id),
    onSuccess: (run) => {
      client.setQueryData<Run>(queryKeys.run(run.id), run);
      void client.invalidateQueries(DEPLOYMENTS);
    },
  });
}

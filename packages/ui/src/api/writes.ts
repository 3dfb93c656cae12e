import { requestApiKey, storedApiKey } from "./api-key.js";
import { apiError } from "./client.js";
import type { Deployment, Run } from "./types.js";

/**
 * Sends a write to the Weir API with the stored API key. When the server refuses it for want of
 * the right key (401, a server started with `--api-key`), the user is asked for the key and the
 * write is sent again; cancelling the prompt fails the write with the server's message.
 * @example const run = await sendJson<Run>("POST", `/api/runs/${id}/cancel`);
 */
export async function sendJson<T>(
  method: "POST" | "PUT" | "DELETE",
  path: string,
  body: unknown = {},
): Promise<T> {
  for (;;) {
    const key = storedApiKey();
    const res = await fetch(path, {
      method,
      headers: {
        accept: "application/json",
        "content-type": "application/json",
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: JSON.stringify(body),
    });
    if (res.ok) return (await res.json()) as T;
    const error = await apiError(res, path);
    if (res.status !== 401 || (await requestApiKey(error.message)) === null) throw error;
  }
}

const enc = encodeURIComponent;

/** The writes the dashboard makes: "Run now", pause and resume, cancel and retry. */
export const writes = {
  runDeployment: (idOrName: string, parameters: Record<string, unknown>): Promise<Run> =>
    sendJson<Run>("POST", `/api/deployments/${enc(idOrName)}/runs`, { parameters }),
  pauseDeployment: (idOrName: string, paused: boolean): Promise<Deployment> =>
    sendJson<Deployment>("POST", `/api/deployments/${enc(idOrName)}/${paused ? "pause" : "resume"}`),
  cancelRun: (id: string): Promise<Run> => sendJson<Run>("POST", `/api/runs/${enc(id)}/cancel`),
  retryRun: (id: string): Promise<Run> => sendJson<Run>("POST", `/api/runs/${enc(id)}/retry`),
};

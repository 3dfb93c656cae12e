import type { WeirClientConfig } from "./config.js";
import { WeirApiError } from "./errors.js";
import type { ArtifactBody, IngestBody } from "./wire.js";

/** A body that is already JSON text (a big checkpoint is serialized once, not twice). */
export class JsonText {
  constructor(readonly text: string) {}
}

/** The answer of a request that reached the server. */
export interface ApiResponse {
  status: number;
  body: unknown;
}

/**
 * A thin HTTP client for the Weir server API (Node's global fetch, keep-alive by default). It never
 * retries by itself: the reporter and the checkpoint store decide with the shared retry policy.
 */
export class ApiClient {
  readonly #baseUrl: string;
  readonly #headers: Record<string, string>;
  readonly #jsonHeaders: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(config: Pick<WeirClientConfig, "apiUrl" | "apiKey" | "requestTimeoutMs">) {
    this.#baseUrl = `${config.apiUrl}/api`;
    this.#headers = config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {};
    this.#jsonHeaders = { ...this.#headers, "content-type": "application/json" };
    this.#timeoutMs = config.requestTimeoutMs;
  }

  /** Sends one request. Network failures and timeouts throw a WeirApiError without `status`. */
  async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<ApiResponse> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    let response: Response;
    try {
      response = await fetch(this.#baseUrl + path, {
        method,
        headers: body === undefined ? this.#headers : this.#jsonHeaders,
        body: body === undefined ? undefined : body instanceof JsonText ? body.text : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (cause) {
      throw new WeirApiError(
        `Could not reach the Weir server at ${this.#baseUrl} (${method} ${path}). Start it with ` +
          "`weir server start` or point WEIR_API_URL at it.",
        { cause },
      );
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, body: parsed };
  }

  ingest(body: IngestBody): Promise<ApiResponse> {
    return this.request("POST", "/ingest", body);
  }

  createArtifact(runId: string, body: ArtifactBody): Promise<ApiResponse> {
    return this.request("POST", `/runs/${encodeURIComponent(runId)}/artifacts`, body);
  }
}

/** Whether a status is worth retrying (the server is overloaded or restarting), as opposed to a bad request. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** The `{ error: { code, message } }` of an error answer, as a WeirApiError. */
export function apiErrorFrom(what: string, response: ApiResponse): WeirApiError {
  const error = (response.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return new WeirApiError(
    `${what} failed with HTTP ${response.status}: ${error?.message ?? JSON.stringify(response.body)}`,
    { status: response.status, serverCode: error?.code },
  );
}

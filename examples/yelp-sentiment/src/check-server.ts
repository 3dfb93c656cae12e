import { connect, resolveStreamUrl } from "@weir/stream";

import { YelpExampleError } from "./errors.js";

/** Options of {@link checkServer}. */
export interface CheckServerOptions {
  /**
   * The Weir server the flows report to.
   * @default process.env.WEIR_API_URL, else "http://127.0.0.1:4200" (as `@weir/flow` resolves it)
   */
  readonly apiUrl?: string;
  /**
   * The event backend, checked too when it is not the Weir server (NATS).
   * @default process.env.WEIR_STREAM_URL, else the Weir server
   */
  readonly streamUrl?: string;
  /** How long each check may wait for an answer. @default 2000 */
  readonly timeoutMs?: number;
}

/**
 * Checks, before a command-line component starts its flow, that the Weir server answers (and the
 * NATS backend when `WEIR_STREAM_URL` names one). A component that starts without a server would
 * spool its runs and logs to disk and fail only after its connection timeouts; spooling is for a
 * server lost during a run, not for one that was never there. Throws a `YelpExampleError`
 * (`WEIR_YELP_SERVER`) whose one-sentence message says where it looked and what to do.
 *
 * @example
 * await checkServer(); // throws: Cannot reach the Weir server at http://127.0.0.1:4200 (connection refused). …
 */
export async function checkServer(options: CheckServerOptions = {}): Promise<void> {
  const apiUrl = (options.apiUrl ?? (process.env.WEIR_API_URL || "http://127.0.0.1:4200")).replace(
    /\/+$/,
    "",
  );
  const streamUrl = resolveStreamUrl(options.streamUrl === undefined ? {} : { url: options.streamUrl });
  const timeoutMs = options.timeoutMs ?? 2000;
  const nats = streamUrl.startsWith("nats://") || streamUrl.startsWith("tls://");
  await Promise.all([checkApi(apiUrl, timeoutMs), nats ? checkNats(streamUrl, timeoutMs) : undefined]);
}

async function checkApi(apiUrl: string, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl}/api/health`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new YelpExampleError(
      "WEIR_YELP_SERVER",
      `Cannot reach the Weir server at ${apiUrl} (${reason(error, timeoutMs)}). ` +
        "Start one with `weir server start` (or run everything with `weir demo`), or set WEIR_API_URL to its address.",
      { cause: error },
    );
  }
  // A Weir server answers `{ "status": "ok", … }`; anything else (an error, a web page) is another service.
  const body = (await response.json().catch(() => undefined)) as { status?: unknown } | undefined;
  if (!response.ok || body?.status !== "ok") {
    throw new YelpExampleError(
      "WEIR_YELP_SERVER",
      `${apiUrl} answers, but not as a Weir server (GET /api/health: HTTP ${response.status}` +
        `${response.ok ? ", not Weir's health report" : ""}). ` +
        "Set WEIR_API_URL to the Weir server's address (`weir server start` prints it).",
    );
  }
}

async function checkNats(url: string, timeoutMs: number): Promise<void> {
  try {
    const stream = await connect({ url, timeoutMs });
    await stream.close();
  } catch (error) {
    throw new YelpExampleError(
      "WEIR_YELP_SERVER",
      `Cannot reach the event backend at ${url} (${reason(error, timeoutMs)}). ` +
        "Start NATS with JetStream (`nats-server -js`), or unset WEIR_STREAM_URL to use the Weir server's own event log.",
      { cause: error },
    );
  }
}

/** A few words on why a connection failed: `connection refused`, `no answer within 2 s`, … */
function reason(error: unknown, timeoutMs: number): string {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "ECONNREFUSED" || /CONNECTION_REFUSED|ECONNREFUSED/.test(message)) return "connection refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "unknown host";
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
    return `no answer within ${timeoutMs / 1000} s`;
  return message;
}

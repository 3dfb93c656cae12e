/**
 * The Weir server as the CLI's deployment, worker and run-control commands see it: `WEIR_API_URL`
 * (default http://127.0.0.1:4200), with `WEIR_API_KEY` as bearer token on every request when set.
 */
export class WeirApi {
  readonly baseUrl: string;
  readonly apiKey: string | undefined;

  constructor(
    baseUrl = process.env.WEIR_API_URL || "http://127.0.0.1:4200",
    apiKey = process.env.WEIR_API_KEY || undefined,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.apiKey = apiKey;
  }

  /**
   * Sends one request and returns the answer's JSON; an error answer throws {@link WeirApiFailure}
   * carrying the server's message, a network failure throws one without `status`.
   * @example const run = await new WeirApi().send<Run>("POST", `/runs/${id}/cancel`);
   */
  async send<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.apiKey !== undefined) headers.authorization = `Bearer ${this.apiKey}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const url = `${this.baseUrl}/api${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal,
      });
    } catch (cause) {
      if (signal?.aborted === true) throw cause;
      throw new WeirApiFailure(
        `cannot reach the Weir server at ${this.baseUrl} (start it with \`weir server start\` or set WEIR_API_URL)`,
        undefined,
        { cause },
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (res.ok) return parsed as T;
    const message = (parsed as { error?: { message?: string } } | undefined)?.error?.message;
    const hint =
      res.status === 401 && this.apiKey === undefined ? " (set WEIR_API_KEY to the server's API key)" : "";
    throw new WeirApiFailure(
      `${message ?? `${res.status} ${res.statusText}`} [${method} ${path}]${hint}`,
      res.status,
    );
  }
}

/** An error answer (with its HTTP `status`) or an unreachable server (no `status`). */
export class WeirApiFailure extends Error {
  override readonly name = "WeirApiFailure";
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

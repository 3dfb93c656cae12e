import { loadBackendPackage } from "./backend/backend-package.js";
import { BadStreamUrlError } from "./errors.js";
import { MemoryStream } from "./memory/memory-stream.js";
import type { Stream } from "./types.js";

/** Options of {@link connect}. */
export interface ConnectOptions {
  /**
   * `memory:` (or `memory:name`), `nats://host:4222` (comma-separate several servers), or the Weir
   * server's `http(s)://` / `ws(s)://` address.
   * @default process.env.WEIR_STREAM_URL, else the Weir server at process.env.WEIR_API_URL ?? "http://127.0.0.1:4200"
   */
  readonly url?: string;
  /** @default process.env.WEIR_API_KEY */
  readonly apiKey?: string;
  /** Aborts connecting. */
  readonly signal?: AbortSignal;
  /** Client-side limit on one event's size; the embedded server's own limit wins when smaller. @default 1 MiB */
  readonly maxEventBytes?: number;
  /** How long to wait for the connection. @default 10000 */
  readonly timeoutMs?: number;
}

/**
 * The package of the NATS JetStream backend. It is not a dependency of `@weir/stream`: an application
 * on NATS installs it, and one on the embedded log never downloads a NATS client.
 */
const NATS_PACKAGE = "@weir/stream-nats";

/** The URL `connect()` would use with these options and environment. */
export function resolveStreamUrl(options: ConnectOptions = {}, env: NodeJS.ProcessEnv = process.env): string {
  return options.url ?? env.WEIR_STREAM_URL ?? env.WEIR_API_URL ?? "http://127.0.0.1:4200";
}

/**
 * Connects to an event backend. `nats://` needs the package `@weir/stream-nats` installed beside this
 * one (else a `BackendNotInstalledError` says so).
 *
 * @example
 * const stream = await connect();                       // WEIR_STREAM_URL or the Weir server
 * await stream.ensureTopic("river_pipeline");
 * await stream.publish("river_pipeline", { data: { text: "great food", sentiment: 1 } });
 * for await (const event of stream.subscribe("river_pipeline", { group: "sentiment-model" })) {
 *   console.log(event.json()); await event.ack();
 * }
 * await stream.close();
 */
export async function connect(options: ConnectOptions = {}): Promise<Stream> {
  const url = resolveStreamUrl(options);
  const apiKey = options.apiKey ?? process.env.WEIR_API_KEY;
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (url === "memory:" || url.startsWith("memory:")) {
    return new MemoryStream(url.slice("memory:".length), options.maxEventBytes);
  }
  if (url.startsWith("nats://") || url.startsWith("tls://")) {
    const nats = await loadBackendPackage(NATS_PACKAGE, "NATS JetStream", url);
    return nats.openStream({ url, timeoutMs, signal: options.signal, maxEventBytes: options.maxEventBytes });
  }
  if (/^(https?|wss?):\/\//.test(url)) {
    const { EmbeddedStream } = await import("./embedded/embedded-stream.js");
    return EmbeddedStream.open({
      url,
      apiKey,
      timeoutMs,
      signal: options.signal,
      maxEventBytes: options.maxEventBytes,
    });
  }
  throw new BadStreamUrlError(url);
}

import { BackendNotInstalledError } from "../errors.js";
import type { Stream } from "../types.js";

/** What `connect()` hands to a backend package's {@link BackendPackage.openStream}. */
export interface BackendOpenOptions {
  /** The backend's own URL, e.g. `nats://h1:4222,h2:4222`. */
  readonly url: string;
  /** How long to wait for the connection, and for each request to the backend. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Client-side limit on one event's size (the backend's own limit wins when smaller). */
  readonly maxEventBytes?: number | undefined;
}

/**
 * What a backend package exports for `connect()`. Backends live in packages of their own so that an
 * application installs only the client libraries of the backend it uses.
 */
export interface BackendPackage {
  openStream(options: BackendOpenOptions): Promise<Stream>;
}

/**
 * Loads the backend package `name` that a URL of `scheme` needs. The import is dynamic, and the
 * specifier a plain string, so that `@weir/stream` neither depends on the package nor builds after it.
 *
 * @example
 * const nats = await loadBackendPackage("@weir/stream-nats", "NATS JetStream", "nats://…");
 * return nats.openStream({ url, timeoutMs });
 */
export async function loadBackendPackage(
  name: string,
  backend: string,
  url: string,
): Promise<BackendPackage> {
  let loaded: unknown;
  try {
    loaded = await import(name);
  } catch (cause) {
    if (isMissing(cause, name)) throw new BackendNotInstalledError(name, backend, url, { cause });
    throw cause;
  }
  if (typeof (loaded as Partial<BackendPackage> | undefined)?.openStream !== "function")
    throw new BackendNotInstalledError(name, backend, url, {
      cause: new TypeError(
        `${name} does not export openStream(): is it a @weir/stream backend of this version?`,
      ),
    });
  return loaded as BackendPackage;
}

/** Whether `error` says that the package itself (not one of its own imports) cannot be found. */
function isMissing(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    typeof message === "string" &&
    message.includes(`'${name}'`)
  );
}

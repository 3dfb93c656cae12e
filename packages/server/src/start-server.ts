import type { FastifyInstance } from "fastify";

import { createServer } from "./create-server.js";
import { WeirServerError } from "./errors.js";
import type { ServerOptions } from "./options.js";
import { resolveOptions } from "./options.js";

/** A listening Weir server. */
export interface WeirServer {
  /** Base URL, e.g. `http://127.0.0.1:4200`. */
  url: string;
  port: number;
  app: FastifyInstance;
  /** Stops intake, ends live streams, stops background jobs and closes the database. */
  close(): Promise<void>;
}

/**
 * Starts the Weir server: REST API under `/api`, live events, `/metrics`, the dashboard at `/`.
 *
 * @example
 * const server = await startServer({ port: 0, dataDir: "/tmp/weir" });
 * console.log(server.url); // http://127.0.0.1:43121
 * await server.close();
 */
export async function startServer(options: ServerOptions = {}): Promise<WeirServer> {
  const o = resolveOptions(options);
  const { app } = await createServer(options);
  try {
    await app.listen({ host: o.host, port: o.port });
  } catch (cause) {
    await app.close();
    throw new WeirServerError(
      "WEIR_START_FAILED",
      `Cannot listen on ${o.host}:${o.port} (${cause instanceof Error ? cause.message : String(cause)}). Pick another --port or stop what uses it.`,
      { cause },
    );
  }
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : o.port;
  const host = o.host.includes(":") ? `[${o.host}]` : o.host === "0.0.0.0" ? "127.0.0.1" : o.host;
  let closing: Promise<void> | undefined;
  return { url: `http://${host}:${port}`, port, app, close: () => (closing ??= app.close()) };
}

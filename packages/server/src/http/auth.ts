import { createHash, timingSafeEqual } from "node:crypto";

import type { FastifyInstance, FastifyRequest } from "fastify";

import { WeirHttpError } from "../errors.js";

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Routes that need the key for every method, not only writes: the event stream carries writes. */
const ALWAYS_GUARDED_ROUTES = new Set(["/api/stream"]);

/**
 * Writes that the `modelsPublic` option opens to callers without the key: predictions and late
 * labels, so that an application can ask a model without holding the key that can replace it.
 */
const MODELS_PUBLIC_ROUTES = new Set(["/api/models/:name/predict", "/api/models/:name/labels"]);

/** Marks an app whose requests already pass through the check, so it is installed once. */
const INSTALLED = Symbol.for("weir.apiKeyCheck");

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * The credentials of an `Authorization` header with the `Bearer` scheme, or `undefined`. The
 * scheme is matched case-insensitively (RFC 7235 §2.1), the credentials are taken as sent.
 *
 * @example bearerToken("bearer s3cret"); // "s3cret"
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1];
}

/**
 * Whether a request needs the API key: every write and every protocol upgrade, whatever path it
 * came in on (so a path the router decodes or folds differently from how it was written can never
 * reach a write without the key), and every method of the routes in {@link ALWAYS_GUARDED_ROUTES}
 * — judged by the route the router matched, never by the raw URL. With `modelsPublic`, the routes
 * of {@link MODELS_PUBLIC_ROUTES} are open.
 */
function needsKey(request: FastifyRequest, modelsPublic: boolean): boolean {
  const route = request.routeOptions.url;
  if (request.headers.upgrade !== undefined) return true;
  if (modelsPublic && request.method === "POST" && route !== undefined && MODELS_PUBLIC_ROUTES.has(route))
    return false;
  if (WRITES.has(request.method)) return true;
  return route !== undefined && ALWAYS_GUARDED_ROUTES.has(route);
}

/**
 * The one API-key check of the server, for the REST API and the stream endpoint alike. With a
 * key, every write and the `/api/stream` WebSocket need `Authorization: Bearer <key>` (compared
 * in constant time); reads stay open so that the dashboard and `weir runs ls` work without it.
 * Installing it twice on the same app is a no-op. `modelsPublic` opens model predictions and late
 * labels (`POST /api/models/:name/predict` and `…/labels`) to callers without the key.
 *
 * @example
 * installApiKeyCheck(app, process.env.WEIR_API_KEY, { modelsPublic: process.env.WEIR_MODELS_PUBLIC === "1" });
 */
export function installApiKeyCheck(
  app: FastifyInstance,
  apiKey: string | undefined,
  options: { modelsPublic?: boolean } = {},
): void {
  if (apiKey === undefined || apiKey === "") return;
  if ((app as unknown as Record<symbol, unknown>)[INSTALLED] === true) return;
  (app as unknown as Record<symbol, unknown>)[INSTALLED] = true;
  const expected = digest(apiKey);
  const modelsPublic = options.modelsPublic === true;
  app.addHook("onRequest", (request, reply, done) => {
    if (!needsKey(request, modelsPublic)) return done();
    const header = request.headers.authorization;
    const token = bearerToken(header);
    if (token !== undefined && timingSafeEqual(digest(token), expected)) return done();
    // A refused upgrade never reaches the WebSocket plugin, which would otherwise release the
    // socket it took from the HTTP server: answer, then close it, so it does not linger (and hold
    // up the server's close).
    if (request.headers.upgrade !== undefined) {
      void reply.header("connection", "close");
      reply.raw.once("finish", () => request.raw.socket.destroy());
    }
    done(
      new WeirHttpError(
        401,
        "WEIR_UNAUTHORIZED",
        header === undefined || header === ""
          ? "This server requires an API key for writes and the event stream: send Authorization: Bearer <key> (set WEIR_API_KEY on the client)."
          : token === undefined
            ? "The Authorization header is not of the form `Bearer <key>`: send the key the server was started with (WEIR_API_KEY / --api-key)."
            : "The API key is wrong: send the key the server was started with (WEIR_API_KEY / --api-key).",
      ),
    );
  });
}

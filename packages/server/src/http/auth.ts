import { createHash, timingSafeEqual } from "node:crypto";

import type { FastifyInstance } from "fastify";

import { WeirHttpError } from "../errors.js";

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * With an API key, every write under `/api` needs `Authorization: Bearer <key>` (compared in
 * constant time). Reads stay open so that the dashboard and `weir runs ls` work without it.
 */
export function installApiKeyCheck(app: FastifyInstance, apiKey: string | undefined): void {
  if (apiKey === undefined || apiKey === "") return;
  const expected = digest(apiKey);
  app.addHook("onRequest", (request, _reply, done) => {
    if (!WRITES.has(request.method) || !request.url.startsWith("/api")) return done();
    const header = request.headers.authorization ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (match?.[1] !== undefined && timingSafeEqual(digest(match[1].trim()), expected)) return done();
    done(
      new WeirHttpError(
        401,
        "WEIR_UNAUTHORIZED",
        header === ""
          ? "This server requires an API key for writes: send Authorization: Bearer <key> (set WEIR_API_KEY on the client)."
          : "The API key is wrong: send the key the server was started with (WEIR_API_KEY / --api-key).",
      ),
    );
  });
}

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

import { WeirHttpError } from "../errors.js";

/** Where the built dashboard is: `@weir/ui`'s `dist/` when installed, else the monorepo folder. */
export function defaultUiDir(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve("@weir/ui/package.json");
    return join(dirname(pkg), "dist");
  } catch {
    return fileURLToPath(new URL("../../../ui/dist", import.meta.url));
  }
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Weir</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto;">
<h1>Weir server is running</h1>
<p>The dashboard is not built. Build it with <code>npm run build</code> at the repository root
(it writes <code>packages/ui/dist/</code>) and restart the server.</p>
<p>The API is under <a href="/api/health">/api</a>; its OpenAPI document is
<a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body></html>`;

/**
 * Serves the dashboard at `/` with an SPA fallback to `index.html` for every non-API GET, or a
 * short page saying how to build it. Unknown `/api` paths are JSON 404s.
 */
export async function installDashboard(app: FastifyInstance, uiDir: string): Promise<void> {
  const built = existsSync(join(uiDir, "index.html"));
  if (built) await app.register(fastifyStatic, { root: uiDir, wildcard: false, index: ["index.html"] });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    if (
      path.startsWith("/api") ||
      path === "/metrics" ||
      (request.method !== "GET" && request.method !== "HEAD")
    )
      throw new WeirHttpError(
        404,
        "WEIR_NOT_FOUND",
        `No route ${request.method} ${path}; see /api/openapi.json.`,
      );
    if (built) return reply.sendFile("index.html");
    return reply.type("text/html; charset=utf-8").send(NOT_BUILT);
  });
}

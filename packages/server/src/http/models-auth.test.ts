import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startTestServer } from "../../test/backends.js";
import type { TestServer } from "../../test/backends.js";
import { publish, trainedModel } from "../../test/models.js";

const KEY = { authorization: "Bearer s3cret" };

interface Route {
  method: string;
  path: string;
  body?: unknown;
}

/** Every route of the models API, in an order that leaves each one something to act on. */
function routes(
  model: { toJSON(): unknown },
  predictionId: string,
): { writes: Route[]; reads: Route[]; serving: Route[] } {
  return {
    writes: [
      { method: "POST", path: "/api/models/m/versions", body: { checkpoint: model.toJSON() } },
      { method: "PUT", path: "/api/models/m/aliases/production", body: { version: 1 } },
      { method: "DELETE", path: "/api/models/m/aliases/production" },
    ],
    serving: [
      { method: "POST", path: "/api/models/m/predict", body: { input: "good food" } },
      { method: "POST", path: "/api/models/m/labels", body: { id: predictionId, label: 1 } },
    ],
    reads: [
      { method: "GET", path: "/api/models" },
      { method: "GET", path: "/api/models/m" },
      { method: "GET", path: "/api/models/m/versions/1" },
      { method: "GET", path: "/api/models/m/versions/1/checkpoint" },
      { method: "GET", path: "/api/models/m/aliases/production/history" },
      { method: "GET", path: "/api/models/m/feedback-metrics" },
    ],
  };
}

async function status(
  server: TestServer,
  route: Route,
  headers: Record<string, string> = {},
): Promise<number> {
  return (await server.call(route.method, route.path, route.body, headers)).status;
}

describe("the API key on the models API", () => {
  let secured: TestServer;
  let modelsPublic: TestServer;
  let open: TestServer;
  const model = trainedModel(50);
  /** A prediction id on each server, for its labels route. */
  const ids = new Map<TestServer, string>();

  beforeAll(async () => {
    [secured, modelsPublic, open] = await Promise.all([
      startTestServer("sqlite", { apiKey: "s3cret" }),
      startTestServer("sqlite", { apiKey: "s3cret", modelsPublic: true }),
      startTestServer("sqlite"),
    ]);
    for (const server of [secured, modelsPublic, open]) {
      await publish(server, "m", model, {}, KEY);
      const answer = await server.json<{ predictions: { id: string }[] }>(
        "POST",
        "/api/models/m/predict",
        { input: "x" },
        KEY,
      );
      ids.set(server, answer.predictions[0]!.id);
    }
  });
  afterAll(async () => {
    await Promise.all([secured?.close(), modelsPublic?.close(), open?.close()]);
  });

  it("is required for publishing, aliases, predictions and labels; reads stay open", async () => {
    const { writes, serving, reads } = routes(model, ids.get(secured)!);
    for (const route of [...writes, ...serving])
      expect(await status(secured, route), `${route.method} ${route.path}`).toBe(401);
    for (const route of [...writes, ...serving]) {
      const answer = await status(secured, route, KEY);
      expect(answer, `${route.method} ${route.path} with the key`).toBeLessThan(300);
    }
    for (const route of reads)
      expect(await status(secured, route), `${route.method} ${route.path}`).toBe(200);
    const wrong = await secured.call(
      "POST",
      "/api/models/m/predict",
      { input: "x" },
      { authorization: "Bearer nope" },
    );
    expect(wrong.status).toBe(401);
  });

  it("with modelsPublic, opens predictions and labels only", async () => {
    const { writes, serving, reads } = routes(model, ids.get(modelsPublic)!);
    for (const route of writes)
      expect(await status(modelsPublic, route), `${route.method} ${route.path}`).toBe(401);
    for (const route of serving)
      expect(await status(modelsPublic, route), `${route.method} ${route.path}`).toBe(200);
    for (const route of reads)
      expect(await status(modelsPublic, route), `${route.method} ${route.path}`).toBe(200);
    // Other writes of the server keep needing the key.
    expect((await modelsPublic.call("POST", "/api/runs", { flowName: "x" })).status).toBe(401);
    expect((await modelsPublic.call("PUT", "/api/checkpoints/a/b", { value: 1 })).status).toBe(401);
  });

  it("is not asked for when the server has none", async () => {
    const { writes, serving, reads } = routes(model, ids.get(open)!);
    for (const route of [...writes, ...serving, ...reads]) {
      const answer = await status(open, route);
      expect(answer, `${route.method} ${route.path}`).toBeLessThan(300);
    }
  });
});

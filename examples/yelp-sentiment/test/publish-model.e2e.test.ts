import { readFileSync } from "node:fs";
import { join } from "node:path";

import { closeClient, configure, flow, publishModel, WeirApiError, WeirArgumentError } from "@weir/flow";
import type { ModelVersion } from "@weir/flow";
import { BagOfWords, MultinomialNB, Pipeline } from "@weir/learn";
import { freePort, probePostgres, repoRoot, requireService } from "@weir/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestServer } from "./app-processes.js";
import { api, startTestServer } from "./app-processes.js";

const postgres = await requireService("PostgreSQL", () => probePostgres());
const LEARN_VERSION = (
  JSON.parse(readFileSync(join(repoRoot, "packages/learn/package.json"), "utf8")) as { version: string }
).version;

function sentimentPipeline(reviews: [string, number][]): Pipeline<string> {
  const model = new Pipeline<string>(new BagOfWords({ lowercase: true }), new MultinomialNB());
  for (const [text, label] of reviews) model.learnOne(text, label);
  return model;
}

const REVIEWS: [string, number][] = [
  ["The food was great", 1],
  ["Terrible service, cold soup", 0],
  ["Lovely staff and a great view", 1],
  ["Never again: rude and slow", 0],
];

describe.each([
  { storage: "SQLite", skip: false, postgresUrl: undefined },
  { storage: "PostgreSQL", skip: postgres.skip, postgresUrl: postgres.value },
])("publishModel against a real server on $storage", ({ skip, postgresUrl }) => {
  let server: TestServer;
  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer({ postgresUrl });
    configure({ apiUrl: server.url, home: `${server.home}/client`, printLogs: false, batchIntervalMs: 100 });
  });
  afterAll(async () => {
    if (skip) return;
    await closeClient();
    await server.close();
  });

  it.skipIf(skip)(
    "numbers the versions of a name 1, 2, … with the run, step, offset, metrics and @weir/learn version",
    async () => {
      const model = sentimentPipeline(REVIEWS.slice(0, 2));
      const firstCheckpoint = JSON.parse(JSON.stringify(model.toJSON())) as unknown;
      let runId = "";
      const published = await flow({ name: "publish-model-test" }, async (_: void, ctx) => {
        runId = ctx.runId;
        const first = await ctx.models.publish("pm-numbering", model, {
          step: 2,
          offset: 2,
          metrics: { accuracy: 0.5, precision: Number.NaN },
          description: "after two reviews",
        });
        for (const [text, label] of REVIEWS.slice(2)) model.learnOne(text, label);
        const second = await ctx.models.publish("pm-numbering", model, {
          step: 4,
          metrics: { accuracy: 0.75 },
        });
        return [first, second];
      })();
      expect(published.map((v) => v.version)).toEqual([1, 2]);
      expect(published[0]).toMatchObject({
        name: "pm-numbering",
        runId,
        step: 2,
        offset: 2,
        // NaN is not a number JSON can carry: left out (with a warning in the run's logs).
        metrics: { accuracy: 0.5 },
        learnVersion: LEARN_VERSION,
        description: "after two reviews",
        inputType: "text",
      });
      expect(published[0]!.sizeBytes).toBeGreaterThan(100);
      expect(published[1]).toMatchObject({ version: 2, runId, step: 4, metrics: { accuracy: 0.75 } });
      // Versions are immutable: version 1 is still the model after two reviews.
      const stored = await api<unknown>(server.url, "/models/pm-numbering/versions/1/checkpoint");
      expect(stored).toEqual(firstCheckpoint);
      const detail = await api<{ latestVersion: number; versions: ModelVersion[] }>(
        server.url,
        "/models/pm-numbering",
      );
      expect(detail.latestVersion).toBe(2);
      expect(detail.versions.map((v) => [v.version, v.step, v.runId])).toEqual([
        [2, 4, runId],
        [1, 2, runId],
      ]);
    },
  );

  it.skipIf(skip)("publishes outside of a flow too, without a run", async () => {
    const version = await publishModel("pm-outside", sentimentPipeline(REVIEWS), { step: 4 });
    expect(version).toMatchObject({ name: "pm-outside", version: 1, runId: null, step: 4 });
  });

  it.skipIf(skip)("refuses a bad name, step or model before sending anything", async () => {
    const model = sentimentPipeline(REVIEWS);
    await expect(publishModel("no spaces please", model)).rejects.toThrow(WeirArgumentError);
    await expect(publishModel("no spaces please", model)).rejects.toThrow(
      /Model name "no spaces please" is invalid: must use letters, digits/,
    );
    await expect(publishModel("pm-refused", model, { step: -1 })).rejects.toThrow(
      /got step -1: a step is a non-negative integer/,
    );
    await expect(publishModel("pm-refused", {} as never)).rejects.toThrow(/needs a model with toJSON\(\)/);
    await expect(api(server.url, "/models/pm-refused")).rejects.toThrow(/404/);
  });

  it.skipIf(skip)(
    "throws the server's reason when it refuses a checkpoint that does not restore",
    async () => {
      const notLearn = { toJSON: () => ({ weights: [1, 2, 3] }) };
      const error = await publishModel("pm-refused", notLearn).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WeirApiError);
      expect((error as WeirApiError).status).toBe(400);
      expect((error as Error).message).toMatch(
        /^Publishing model "pm-refused" failed with HTTP 400: .*@weir\/learn/,
      );
      const unknownType = {
        toJSON: () => ({ format: "@weir/learn", version: 1, type: "NoSuchModel", state: {} }),
      };
      await expect(publishModel("pm-refused", unknownType)).rejects.toThrow(/HTTP 400: .*NoSuchModel/);
      await expect(api(server.url, "/models/pm-refused")).rejects.toThrow(/404/);
    },
  );
});

describe("publishModel and the API key", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ apiKey: "models-key" });
  });
  afterAll(async () => {
    await closeClient();
    await server.close();
  });

  it("is refused without the key (401, said in the error) and stored with it", async () => {
    const model = sentimentPipeline(REVIEWS);
    configure({ apiUrl: server.url, apiKey: "wrong", home: `${server.home}/client`, printLogs: false });
    const error = await publishModel("pm-key", model).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeirApiError);
    expect((error as WeirApiError).status).toBe(401);
    expect((error as Error).message).toMatch(/^Publishing model "pm-key" failed with HTTP 401/);
    configure({ apiKey: "models-key" });
    expect((await publishModel("pm-key", model)).version).toBe(1);
  });

  it("gives up on an unreachable server after timeoutMs, naming it", async () => {
    configure({ apiUrl: `http://127.0.0.1:${await freePort()}`, apiKey: undefined });
    const started = Date.now();
    await expect(publishModel("pm-away", sentimentPipeline(REVIEWS), { timeoutMs: 600 })).rejects.toThrow(
      /Publishing model "pm-away" could not be done within timeoutMs=600: .*Could not reach the Weir server/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

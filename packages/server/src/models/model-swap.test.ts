import { restore } from "@weir/learn";
import type { Pipeline } from "@weir/learn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BACKENDS, startTestServer } from "../../test/backends.js";
import type { TestServer } from "../../test/backends.js";
import { localAnswer, publish, reviews, trainedModel } from "../../test/models.js";
import { startPredictClients } from "../../test/predict-clients.js";
import type { Answer } from "../../test/predict-clients.js";

const CLIENTS = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Failed answers, described. */
const failures = (answers: Answer[]) =>
  answers.filter((a) => a.status !== 200).map((a) => `client ${a.client}: ${a.status} ${a.error ?? ""}`);

describe.each(BACKENDS)("swapping the served model under load on $name", ({ name: backend, skip }) => {
  let server: TestServer;
  const text = reviews()[3]!.text;

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(backend);
  });
  afterAll(async () => {
    await server?.close();
  });

  it.skipIf(skip)(
    "promotes and rolls back while 4 clients predict: the alias switches within 100 ms, no request fails",
    async () => {
      await publish(server, "swap", trainedModel(30));
      await publish(server, "swap", trainedModel());
      await server.json("PUT", "/api/models/swap/aliases/production", { version: 1 });
      const clients = startPredictClients(CLIENTS, `${server.url}/api/models/swap/predict`, { input: text });
      await sleep(200);
      const switches: { version: number; sentAt: number; answeredAt: number }[] = [];
      for (let i = 0; i < 6; i++) {
        const version = i % 2 === 0 ? 2 : 1; // promote 2, roll back to 1, …
        const sentAt = performance.now();
        await server.json("PUT", "/api/models/swap/aliases/production", { version });
        switches.push({ version, sentAt, answeredAt: performance.now() });
        await sleep(250);
      }
      const answers = await clients.stop();
      expect(failures(answers)).toEqual([]);
      expect(new Set(answers.map((a) => a.client)).size).toBe(CLIENTS);
      for (const [index, { version, sentAt, answeredAt }] of switches.entries()) {
        const until = switches[index + 1]?.sentAt ?? Infinity;
        // Every request sent after the PUT answered (and before the next switch) got the new version.
        const stale = answers.filter(
          (a) => a.sentAt >= answeredAt && a.sentAt < until && a.version !== version,
        );
        expect(
          stale.map(
            (a) => `client ${a.client} sent +${(a.sentAt - answeredAt).toFixed(1)} ms: version ${a.version}`,
          ),
          `switch ${index} to version ${version} (PUT took ${(answeredAt - sentAt).toFixed(1)} ms)`,
        ).toEqual([]);
        // From the PUT answer, how long until every client is switched: each client's first request
        // that got the new version (the one it had in flight may still have been answered by the old).
        const switchedAt = Array.from({ length: CLIENTS }, (_, client) =>
          Math.min(
            ...answers
              .filter((a) => a.client === client && a.version === version && a.receivedAt >= answeredAt)
              .map((a) => Math.max(a.sentAt, answeredAt)),
          ),
        );
        expect(Math.max(...switchedAt) - answeredAt, `switch ${index}`).toBeLessThan(100);
      }
    },
  );

  it.skipIf(skip)(
    "publishes versions to an alias that follows the latest while 4 clients predict: each answer is its version's model",
    async () => {
      await server.json("PUT", "/api/models/swap/aliases/candidate", { followLatest: true });
      const clients = startPredictClients(CLIENTS, `${server.url}/api/models/swap/predict?alias=candidate`, {
        input: text,
      });
      for (let n = 40; n <= 240; n += 50) {
        await publish(server, "swap", trainedModel(n));
        await sleep(100);
      }
      const answers = await clients.stop();
      expect(failures(answers)).toEqual([]);
      const versions = new Set(answers.map((a) => a.version as number));
      expect(versions.size).toBeGreaterThan(3);
      for (const version of versions) {
        const saved = await server.json<unknown>("GET", `/api/models/swap/versions/${version}/checkpoint`);
        const expected = localAnswer(restore(saved) as Pipeline<string>, text);
        for (const answer of answers.filter((a) => a.version === version))
          expect(answer.body!.predictions[0]).toMatchObject(expected);
      }
    },
  );
});

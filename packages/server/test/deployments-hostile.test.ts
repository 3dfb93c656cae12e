import type { Deployment, Run } from "@weir/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BACKENDS, startTestServer, uuid } from "./backends.js";
import type { TestServer } from "./backends.js";
import { deploymentBody } from "./deployment-helpers.js";

const deep = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

/** Bodies no route should choke on. */
const HOSTILE: unknown[] = [
  null,
  [],
  "text",
  42,
  {},
  { name: "" },
  { name: "x".repeat(10_000) },
  { name: "a\u0000b", flowName: "f", entrypoint: "m:f" },
  deploymentBody({ parameters: deep(200) as Record<string, unknown> }),
  deploymentBody({ parameterSchema: deep(200) as Record<string, unknown> }),
  deploymentBody({ parameterSchema: { $ref: "http://example.invalid/schema.json" } }),
  deploymentBody({
    parameterSchema: { type: "object", properties: { a: { pattern: "(" } } },
    parameters: { a: "x" },
  }),
  deploymentBody({ schedule: { cron: "* * * * *", intervalMs: 1000 } as never }),
  deploymentBody({ schedule: { cron: "@reboot" } }),
  deploymentBody({ schedule: { cron: "L W # ? * *" } }),
  deploymentBody({ schedule: { cron: "*/0 * * * *" } }),
  deploymentBody({ schedule: { intervalMs: 1e300 } }),
  deploymentBody({ schedule: { intervalMs: 1000, anchor: "not a date" } }),
  deploymentBody({ schedule: { cron: "* * * * *", timezone: "../../etc/passwd" } }),
  deploymentBody({ concurrencyLimit: -1 }),
  deploymentBody({ restartPolicy: { mode: "sometimes" } as never }),
  deploymentBody({ restartPolicy: { mode: "always", initialDelayMs: -5 } }),
  deploymentBody({ timeoutSeconds: Number.MAX_VALUE }),
  deploymentBody({ tags: Array.from({ length: 1000 }, (_, i) => `t${i}`) }),
  { workerId: "not-a-uuid", limit: 1 },
  { workerId: uuid(), limit: 0 },
  { workerId: uuid(), limit: 1e9, waitMs: -1 },
  { workerId: uuid(), limit: 1, waitMs: 1e12 },
  { workerId: uuid(), name: "w", pool: "bad pool!", limit: 1 },
  { workerId: uuid(), name: "w", pool: "p", limit: 1, running: ["x"] },
  { workerId: uuid(), name: "w", pool: "p", limit: 1, running: Array.from({ length: 20_000 }, () => uuid()) },
  { parameters: [] },
  { parameters: { a: deep(100) } },
  { tags: [""] },
];

describe.each(BACKENDS)("deployment routes under hostile input on $name", ({ name, skip }) => {
  let t: TestServer;
  let deployment: Deployment;
  let run: Run;
  beforeAll(async () => {
    if (skip) return;
    t = await startTestServer(name);
    deployment = await t.json<Deployment>(
      "POST",
      "/api/deployments",
      deploymentBody({ parameterSchema: { type: "object" } }),
    );
    run = await t.json<Run>("POST", `/api/deployments/${deployment.id}/runs`, {});
  });
  afterAll(async () => {
    await t?.close();
  });

  it.skipIf(skip)("answers every hostile body and path with a 4xx, never a 5xx", async () => {
    const routes = [
      "/api/deployments",
      `/api/deployments/${deployment?.name}/runs`,
      `/api/deployments/${deployment?.name}/pause`,
      "/api/workers/heartbeat",
      "/api/work-pools/default/claim",
      "/api/work-pools/bad%20pool!/claim",
      `/api/runs/${run?.id}/cancel`,
      `/api/runs/${run?.id}/retry`,
      "/api/runs/not-a-uuid/cancel",
      "/api/runs/not-a-uuid/retry",
      "/api/deployments/%00/runs",
      `/api/deployments/${"x".repeat(250)}/resume`,
      `/api/deployments/${deployment?.name}/versions`,
    ];
    for (const path of routes)
      for (const hostile of HOSTILE) {
        // A valid claim waits for work: these ask it not to wait.
        const body =
          path.endsWith("/claim") &&
          typeof hostile === "object" &&
          hostile !== null &&
          !Array.isArray(hostile)
            ? { waitMs: 0, ...hostile }
            : hostile;
        const res = await t.call("POST", path, body);
        expect(
          res.status,
          `${path} ${JSON.stringify(body)?.slice(0, 200)} → ${JSON.stringify(res.body).slice(0, 300)}`,
        ).toBeLessThan(500);
      }
    const reads = [
      "/api/deployments?pool=bad%20pool!",
      "/api/deployments/%ff",
      "/api/deployments/nope",
      "/api/workers?pool=",
      "/api/work-pools",
      "/api/schedule/preview",
      "/api/schedule/preview?cron=*&intervalMs=5",
      "/api/schedule/preview?cron=61+*+*+*+*",
      "/api/schedule/preview?cron=*+*+*+*+*&timezone=Nowhere",
      "/api/schedule/preview?intervalMs=1000&count=100000",
      "/api/schedule/preview?intervalMs=1e400",
      "/api/runs?deploymentId=x",
      "/api/deployments/nope/versions",
      "/api/deployments/%00/versions",
      "/api/deployments/%ff/versions",
      `/api/deployments/${"x".repeat(250)}/versions`,
      `/api/deployments/${deployment?.name}/versions?limit=0`,
      `/api/deployments/${deployment?.name}/versions?limit=1e400&before=-1`,
      `/api/deployments/${deployment?.name}/versions?before=x`,
      `/api/deployments/${deployment?.name}/versions?before=99999999999999999999`,
    ];
    for (const path of reads) {
      const res = await t.call("GET", path);
      expect(res.status, `${path} → ${JSON.stringify(res.body)}`).toBeLessThan(500);
    }
    expect((await t.call("DELETE", "/api/deployments/%00")).status).toBe(400);
    expect((await t.call("DELETE", `/api/deployments/${uuid()}`)).status).toBe(404);
  });

  it.skipIf(skip)(
    "stops a catastrophic `pattern` of a stored parameter schema and stays responsive",
    async () => {
      const evil = {
        type: "object",
        properties: { word: { type: "string", pattern: "^(a+)+$" } },
        patternProperties: { "^(b|b)*$": { type: "number" } },
      };
      const d = await t.json<Deployment>(
        "POST",
        "/api/deployments",
        deploymentBody({ parameterSchema: evil, parameters: { word: "aaaa" } }),
      );
      const attack = "a".repeat(48) + "!";
      // Defaults are checked on deploy; parameters on every "Run now"; keys of patternProperties too.
      const attempts = [
        () =>
          t.call("POST", "/api/deployments", {
            ...deploymentBody({ name: d.name, parameterSchema: evil }),
            parameters: { word: attack },
          }),
        () => t.call("POST", `/api/deployments/${d.id}/runs`, { parameters: { word: attack } }),
        () => t.call("POST", `/api/deployments/${d.id}/runs`, { parameters: { ["b".repeat(48) + "!"]: 1 } }),
      ];
      for (const attempt of attempts) {
        const order: string[] = [];
        const refused = attempt().then((res) => {
          order.push("refused");
          return res;
        });
        // The event loop is free meanwhile: a read sent after the attack is answered before it.
        await new Promise((resolve) => setTimeout(resolve, 100));
        const read = await t.call("GET", `/api/deployments/${d.id}`);
        order.push("read");
        const res = await refused;
        expect(read.status).toBe(200);
        expect(order).toEqual(["read", "refused"]);
        expect(res.status).toBe(400);
        expect((res.body as { error: { message: string } }).error.message).toMatch(
          /took longer than 1000 ms and was stopped.*"pattern"/,
        );
      }
      // The checker is started again: good and bad parameters are told apart as before.
      expect(
        (await t.call("POST", `/api/deployments/${d.id}/runs`, { parameters: { word: "aaa" } })).status,
      ).toBe(201);
      const bad = await t.call("POST", `/api/deployments/${d.id}/runs`, { parameters: { word: "ab" } });
      expect(bad.body).toMatchObject({ error: { message: 'parameters.word: must match pattern "^(a+)+$"' } });
      expect((await t.json<Deployment>("GET", `/api/deployments/${d.id}`)).version).toBe(1);
    },
    30_000,
  );
});

describe("deployment routes with an API key", () => {
  let t: TestServer;
  const key = "deploy-s3cret";
  const auth = { authorization: `Bearer ${key}` };
  beforeAll(async () => {
    t = await startTestServer("sqlite", { apiKey: key });
  });
  afterAll(async () => {
    await t.close();
  });

  it("needs the key for every write and leaves reads open", async () => {
    const body = deploymentBody();
    const writes: [string, string, unknown][] = [
      ["POST", "/api/deployments", body],
      ["POST", `/api/deployments/${body.name}/pause`, undefined],
      ["POST", `/api/deployments/${body.name}/resume`, undefined],
      ["POST", `/api/deployments/${body.name}/runs`, {}],
      ["POST", "/api/workers/heartbeat", { workerId: uuid(), name: "w", pool: "default", limit: 1 }],
      ["POST", "/api/work-pools/default/claim", { workerId: uuid(), limit: 1, waitMs: 0 }],
      ["POST", `/api/runs/${uuid()}/cancel`, undefined],
      ["POST", `/api/runs/${uuid()}/retry`, undefined],
      ["DELETE", `/api/deployments/${body.name}`, undefined],
    ];
    for (const [method, path, payload] of writes) {
      const refused = await t.call(method, path, payload);
      expect(refused.status, `${method} ${path} without the key`).toBe(401);
      const wrong = await t.call(method, path, payload, { authorization: "Bearer nope" });
      expect(wrong.status, `${method} ${path} with a wrong key`).toBe(401);
    }
    const allowed: number[] = [];
    for (const [method, path, payload] of writes)
      allowed.push((await t.call(method, path, payload, auth)).status);
    // create 201, pause 200, resume 200, run now 201, heartbeat 200, claim 200, cancel/retry of
    // unknown runs 404, delete 204.
    expect(allowed).toEqual([201, 200, 200, 201, 200, 200, 404, 404, 204]);
    await t.json("POST", "/api/deployments", body, auth);
    for (const path of [
      `/api/deployments/${body.name}/versions`,
      "/api/deployments",
      "/api/workers",
      "/api/work-pools",
      "/api/schedule/preview?intervalMs=60000",
    ])
      expect((await t.call("GET", path)).status, path).toBe(200);
  });
});

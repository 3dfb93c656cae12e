import path from "node:path";
import type { Deployment } from "@weir/protocol";
import { describe, expect, it } from "vitest";
import { hidden, scoring } from "../test/fixtures/deployable.js";
import { getJson, useServerForFile } from "../test/harness.js";
import { deploy, flow, WeirApiError, WeirArgumentError } from "./index.js";

const server = useServerForFile();

describe("deploy()", () => {
  it("creates a deployment of a flow: its module and export, JSON Schema of its parameters, schedule; versions on change", async () => {
    const created = await deploy(scoring, {
      name: "scoring",
      schedule: { cron: "*/5 * * * *", timezone: "Europe/Berlin" },
      parameters: { threshold: 0.7 },
      restartPolicy: { mode: "always" },
      timeoutSeconds: 60,
      tags: ["ml"],
    });
    const module = path.relative(
      process.cwd(),
      new URL("../test/fixtures/deployable.ts", import.meta.url).pathname,
    );
    expect(created).toMatchObject({
      name: "scoring",
      version: 1,
      flowName: "fixture-scoring",
      entrypoint: `./${module}:scoring`,
      workingDirectory: process.cwd(),
      parameters: { threshold: 0.7 },
      restartPolicy: { mode: "always" },
      timeoutSeconds: 60,
    });
    expect(created.parameterSchema).toMatchObject({
      type: "object",
      properties: { threshold: { type: "number", minimum: 0, maximum: 1, default: 0.5 } },
    });
    expect(created.nextRuns).toHaveLength(5);
    const same = await deploy(scoring, {
      name: "scoring",
      schedule: { cron: "*/5 * * * *", timezone: "Europe/Berlin" },
      parameters: { threshold: 0.7 },
      restartPolicy: { mode: "always" },
      timeoutSeconds: 60,
      tags: ["ml"],
    });
    expect(same.version).toBe(1);
    const changed = await deploy(scoring, { name: "scoring", parameters: { threshold: 0.9 } });
    expect(changed.version).toBe(2);
    const stored = await getJson<Deployment>(server.url, "/api/deployments/scoring");
    expect(stored.version).toBe(2);
  });

  it("is refused by the server with the schema's message when the default parameters do not fit", async () => {
    const error = await deploy(scoring, { name: "bad", parameters: { threshold: 3 } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WeirApiError);
    expect((error as WeirApiError).status).toBe(400);
    expect((error as Error).message).toMatch(/threshold/);
  });

  it("asks for the entrypoint when it cannot find the export holding the flow", async () => {
    await expect(deploy(hidden[0] as never, { name: "hidden" })).rejects.toBeInstanceOf(WeirArgumentError);
    const local = flow({ name: "local" }, () => undefined);
    await expect(deploy(local, { name: "local" })).rejects.toThrow(/Pass entrypoint/);
    const given = await deploy(local, { name: "local", entrypoint: "./src/local.ts:local" });
    expect(given.entrypoint).toBe("./src/local.ts:local");
    expect(given.parameterSchema).toBeNull();
  });
});

import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { describe, expect, it } from "vitest";

import { SAMPLE_DATA } from "./component-args.js";
import { APPLICATION_POOL, applicationDeployments } from "./deployments.js";
import { monitorParameters, publisherParameters, subscriberParameters } from "./flows/parameter-schemas.js";

describe("applicationDeployments", () => {
  it("names entrypoints that a worker resolves to the very flows, from this package's folder", async () => {
    const app = applicationDeployments();
    for (const { flow, options } of [app.subscriber, app.monitor, app.publisher]) {
      const [module, exportName] = options.entrypoint!.split(":") as [string, string];
      const loaded = (await import(pathToFileURL(join(options.workingDirectory!, module)).href)) as Record<
        string,
        unknown
      >;
      expect(loaded[exportName]).toBe(flow);
      expect(options.workPool).toBe(APPLICATION_POOL);
    }
  });

  it("restarts the subscribers always, one run at a time, and runs the publisher on demand", () => {
    const app = applicationDeployments({ threshold: 0.7, rate: undefined });
    for (const { options } of [app.subscriber, app.monitor]) {
      expect(options).toMatchObject({ restartPolicy: { mode: "always" }, concurrencyLimit: 1 });
    }
    expect(app.publisher.options.schedule).toBeUndefined();
    expect(app.publisher.options.restartPolicy).toBeUndefined();
    expect(app.publisher.options.parameters).toEqual({ path: SAMPLE_DATA, topic: "river_pipeline" });
    expect(app.monitor.options.parameters).toEqual({ threshold: 0.7, topic: "river_metrics" });
  });

  it("gives the same deployments for the same options (so deploying again makes no new version)", () => {
    expect(applicationDeployments({ threshold: 0.6 })).toEqual(applicationDeployments({ threshold: 0.6 }));
    expect(applicationDeployments({ threshold: 0.6 }).monitor.options).not.toEqual(
      applicationDeployments({ threshold: 0.7 }).monitor.options,
    );
  });

  it("has default parameters that the flows' own schemas accept, and schemas the server can check", () => {
    const app = applicationDeployments({
      textColumn: "review",
      labelColumn: "stars",
      allowReplacement: true,
    });
    expect(subscriberParameters.parse(app.subscriber.options.parameters)).toEqual(
      app.subscriber.options.parameters,
    );
    expect(monitorParameters.parse(app.monitor.options.parameters)).toEqual(app.monitor.options.parameters);
    expect(publisherParameters.parse(app.publisher.options.parameters)).toEqual(
      app.publisher.options.parameters,
    );
    for (const { flow } of [app.subscriber, app.monitor, app.publisher]) {
      expect(flow.parametersJsonSchema()).toMatchObject({ type: "object", additionalProperties: false });
    }
    expect(app.publisher.flow.parametersJsonSchema()).toMatchObject({
      required: ["path"],
      properties: { rate: { type: "number", exclusiveMinimum: 0 } },
    });
  });

  it("refuses parameters a flow does not know, or of the wrong kind, naming the field", () => {
    expect(() => monitorParameters.parse({ threshold: 1.5 })).toThrow(/threshold/);
    expect(() => publisherParameters.parse({ path: "x.csv", rate: -1 })).toThrow(/rate/);
    expect(() => subscriberParameters.parse({ inputTopic: "t", chekpointEvery: 5 })).toThrow(
      /chekpointEvery/,
    );
  });
});

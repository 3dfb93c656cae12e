import { describe, expect, it } from "vitest";

import { draftOf, fieldsOf, placeErrors, valueOf } from "./parameter-fields.js";

// The JSON Schema zod 4 emits for z.object({ topic, threshold, window, verbose, mode, labels, extra }).
const schema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  properties: {
    topic: { type: "string", description: "Topic to read" },
    threshold: { type: "number", minimum: 0, maximum: 1, default: 0.6 },
    window: { type: "integer", exclusiveMinimum: 0 },
    verbose: { type: "boolean" },
    mode: { type: "string", enum: ["fast", "exact"] },
    labels: { type: "array", items: { type: "string" } },
    extra: { type: "object", additionalProperties: {} },
  },
  required: ["topic", "threshold"],
  additionalProperties: false,
};

describe("fieldsOf", () => {
  it("makes one field per property, typed by the schema, with the deployment's defaults over the schema's", () => {
    const fields = fieldsOf(schema, { topic: "river_metrics", labels: ["a", "b"], legacy: 3 });
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ["topic", "string", true],
      ["threshold", "number", true],
      ["window", "integer", false],
      ["verbose", "boolean", false],
      ["mode", "enum", false],
      ["labels", "string-list", false],
      ["extra", "json", false],
      ["legacy", "number", false],
    ]);
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    expect(byName.threshold).toMatchObject({ initial: 0.6, minimum: 0, maximum: 1 });
    expect(byName.topic).toMatchObject({ initial: "river_metrics", description: "Topic to read" });
    expect(byName.window?.minimum).toBe(0);
    expect(draftOf(byName.labels!)).toBe("a\nb");
    expect(draftOf(byName.threshold!)).toBe("0.6");
    expect(draftOf(byName.verbose!)).toBe(false);
  });

  it("types the fields of a deployment without a schema by their default values", () => {
    const fields = fieldsOf(null, { n: 1, on: true, name: "x", tags: ["a"], cfg: { a: 1 } });
    expect(fields.map((f) => f.kind)).toEqual(["number", "boolean", "string", "string-list", "json"]);
  });
});

describe("valueOf", () => {
  const [topic, threshold, , , mode, labels, extra] = fieldsOf(schema, {});

  it("sends numbers as numbers, enum choices as their values and lists one item per line", () => {
    expect(valueOf(threshold!, "0.75")).toEqual({ value: 0.75 });
    expect(valueOf(mode!, "1")).toEqual({ value: "exact" });
    expect(valueOf(labels!, " a \n\n b ")).toEqual({ value: ["a", "b"] });
    expect(valueOf(extra!, '{"k": [1]}')).toEqual({ value: { k: [1] } });
  });

  it("leaves empty fields out, so that the deployment's defaults (or the server's verdict) apply", () => {
    expect(valueOf(topic!, "")).toEqual({ omit: true });
    expect(valueOf(threshold!, "  ")).toEqual({ omit: true });
    expect(valueOf(mode!, "")).toEqual({ omit: true });
  });

  it("refuses only what cannot be sent as the intended type", () => {
    expect(valueOf(threshold!, "high")).toEqual({ error: "must be a number" });
    expect(valueOf(extra!, "{nope")).toEqual({ error: "must be valid JSON" });
    // Out of range is the server's call (its message is the schema's).
    expect(valueOf(threshold!, "7")).toEqual({ value: 7 });
  });
});

describe("placeErrors", () => {
  const names = ["topic", "threshold", "window"];

  it("places ajv's errors on the field their instancePath or missing property names", () => {
    expect(
      placeErrors(
        "parameters.threshold: must be <= 1",
        [{ instancePath: "/threshold", keyword: "maximum", message: "must be <= 1", params: {} }],
        names,
      ),
    ).toEqual([{ field: "threshold", message: "must be <= 1" }]);
    expect(
      placeErrors(
        "parameters.topic: must have required property 'topic'",
        [
          {
            instancePath: "",
            keyword: "required",
            message: "must have required property 'topic'",
            params: { missingProperty: "topic" },
          },
        ],
        names,
      ),
    ).toEqual([{ field: "topic", message: "must have required property 'topic'" }]);
  });

  it("falls back to the field the message names, then to the whole form", () => {
    expect(placeErrors("parameters.window: must be > 0", undefined, names)).toEqual([
      { field: "window", message: "parameters.window: must be > 0" },
    ]);
    expect(placeErrors("The deployment is gone", undefined, names)).toEqual([
      { field: undefined, message: "The deployment is gone" },
    ]);
  });
});

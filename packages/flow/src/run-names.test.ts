import { describe, expect, it } from "vitest";
import { randomRunName, renderRunName } from "./run-names.js";

describe("run names", () => {
  it("makes readable adjective-animal names", () => {
    const names = new Set(Array.from({ length: 50 }, () => randomRunName()));
    for (const name of names) expect(name).toMatch(/^[a-z]+-[a-z]+$/);
    expect(names.size).toBeGreaterThan(10);
  });

  it("fills templates with the flow name, date and parameters, leaving unknown placeholders", () => {
    const info = { flowName: "etl", runId: "abc" };
    const date = new Date().toISOString().slice(0, 10);
    expect(renderRunName("{flowName}-{date}-{region}-{nope}", { region: "eu" }, info)).toBe(
      `etl-${date}-eu-{nope}`,
    );
    expect(renderRunName("{runId}", undefined, info)).toBe("abc");
  });

  it("calls a runName function with the parameters", () => {
    expect(
      renderRunName((p: { n: number }, i) => `${i.flowName}-${p.n}`, { n: 3 }, { flowName: "f", runId: "x" }),
    ).toBe("f-3");
  });
});

import { describe, expect, it } from "vitest";

import { eventFieldsRuleBroken, eventSize, metadataRuleBroken } from "./event-rules.js";

describe("event rules", () => {
  it("counts an event's payload bytes plus the characters of its mimetype, type name and metadata", () => {
    expect(eventSize(10, "application/json", undefined, undefined)).toBe(10 + 16);
    expect(eventSize(10, "text/plain", "review", { source: "csv", line: "4" })).toBe(10 + 10 + 6 + 9 + 5);
  });

  it("names the field that breaks a rule, and accepts events that keep them all", () => {
    const fields = ["id-1", "application/json; charset=utf-8", "review", 2, "key-1"] as const;
    expect(eventFieldsRuleBroken(...fields)).toBeUndefined();
    expect(
      eventFieldsRuleBroken("id-1", "application/json", undefined, undefined, undefined),
    ).toBeUndefined();
    expect(eventFieldsRuleBroken("x".repeat(129), "text/plain", undefined, undefined, undefined)).toBe(
      "id must be a string of 1–128 characters.",
    );
    expect(eventFieldsRuleBroken("id", "text/plain/extra", undefined, undefined, undefined)).toBe(
      'mimetype "text/plain/extra" is not of the form type/subtype.',
    );
    expect(eventFieldsRuleBroken("id", "text/plain", "", undefined, undefined)).toBe(
      "typeName must be a non-empty string.",
    );
    expect(eventFieldsRuleBroken("id", "text/plain", undefined, 1.5, undefined)).toBe(
      "typeVersion must be a non-negative integer, got 1.5.",
    );
    expect(eventFieldsRuleBroken("id", "text/plain", undefined, undefined, "k".repeat(257))).toBe(
      "idempotencyKey must be a string of 1–256 characters.",
    );
  });

  it("accepts metadata of non-empty keys and string values only", () => {
    expect(metadataRuleBroken({ a: "1" })).toBeUndefined();
    expect(metadataRuleBroken(["a"])).toBe("metadata must be an object of string values.");
    expect(metadataRuleBroken({ "": "1" })).toBe("metadata keys must be non-empty strings.");
    expect(metadataRuleBroken({ n: 5 })).toBe('metadata["n"] must be a string, got number.');
  });
});

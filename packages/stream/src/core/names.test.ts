import { describe, expect, it } from "vitest";

import { InvalidTopicNameError } from "../errors.js";
import { assertName } from "./names.js";

/** The error `assertName` throws for `name`, or undefined. */
function refusal(kind: "topic" | "group", name: string): InvalidTopicNameError | undefined {
  try {
    assertName(kind, name);
    return undefined;
  } catch (error) {
    return error as InvalidTopicNameError;
  }
}

describe("assertName", () => {
  it("accepts dotted topic names but only single-token group names", () => {
    expect(refusal("topic", "river.metrics")).toBeUndefined();
    expect(refusal("group", "sentiment-model_2")).toBeUndefined();
    expect(refusal("group", "a.b")).toBeInstanceOf(InvalidTopicNameError);
    expect(refusal("group", "a b")).toBeInstanceOf(InvalidTopicNameError);
    expect(refusal("topic", "a..b")).toBeInstanceOf(InvalidTopicNameError);
  });

  it("quotes at most 100 characters of a long name, followed by an ellipsis and its length", () => {
    const name = "x".repeat(9_999) + "!";
    const error = refusal("topic", name);
    expect(error).toMatchObject({ code: "WEIR_INVALID_TOPIC_NAME" });
    expect(error?.message).toContain(
      `Invalid topic name "${"x".repeat(100)}…" (10000 characters): use 1–200`,
    );
    expect(error?.message).not.toContain("x".repeat(101));
    expect(error?.message.length).toBeLessThan(300);
  });

  it("quotes a name of up to 100 characters in full", () => {
    const name = "y".repeat(99) + " ";
    expect(refusal("group", name)?.message).toContain(`Invalid group name "${name}": use`);
  });
});

import { idSchema } from "@weir/protocol";
import { describe, expect, it } from "vitest";

import { predictionId } from "./prediction-id.js";

describe("predictionId", () => {
  it("makes UUIDv7 strings that increase strictly, even many in one millisecond", () => {
    const now = Date.UTC(2026, 11, 4, 22, 30);
    const ids = Array.from({ length: 10_000 }, () => predictionId(now));
    for (const id of ids.slice(0, 100)) expect(idSchema.safeParse(id).success).toBe(true);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[0]!.replaceAll("-", "").slice(0, 12)).toBe(now.toString(16).padStart(12, "0"));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const later = predictionId(now + 60_000);
    expect(later > ids.at(-1)!).toBe(true);
  });
});

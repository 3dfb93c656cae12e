import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openStorage } from "../storage/database.js";
import type { Storage } from "../storage/database.js";
import { PredictionLog } from "./prediction-log.js";
import type { PendingPrediction } from "./prediction-log.js";

function predictions(n: number, createdAt: number): PendingPrediction[] {
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    name: "m",
    version: 1,
    input: `text ${i}`,
    label: i % 2,
    proba: new Map([
      [0, 0.25],
      [1, 0.75],
    ]),
    createdAt,
  }));
}

const count = async (storage: Storage) =>
  Number(
    (
      await storage.db
        .selectFrom("model_predictions")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("the prediction log", () => {
  let dir: string;
  let storage: Storage;
  const errors: unknown[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "weir-prediction-log-"));
    storage = await openStorage(`sqlite:${join(dir, "weir.db")}`, dir);
  });
  afterAll(async () => {
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes in batches off the request path, and a label waits only for its own prediction", async () => {
    const log = new PredictionLog(storage, {
      flushIntervalMs: 60_000,
      flushRows: 1000,
      onError: (e) => errors.push(e),
    });
    const first = predictions(10, Date.now());
    expect(log.record(first)).toBeUndefined();
    expect(await count(storage)).toBe(0); // buffered: nothing written per request
    await log.persisted([first[3]!.id]);
    const row = await storage.db
      .selectFrom("model_predictions")
      .selectAll()
      .where("id", "=", first[3]!.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ input: '"text 3"', label: "1", probabilities: "[[0,0.25],[1,0.75]]" });
    expect(log.record(predictions(2500, Date.now()))).toBeUndefined(); // past flushRows: written without waiting for the timer
    await log.flush();
    expect(await count(storage)).toBe(2510);
    await log.close();
    expect(errors).toEqual([]);
  });

  it("stores inputs, labels and probabilities as JSON.stringify would (odd labels, non-finite numbers)", async () => {
    const log = new PredictionLog(storage, { onError: (e) => errors.push(e) });
    const odd: PendingPrediction[] = [
      [
        'quo"te\n',
        { a: 1, b: "x" },
        [
          ['quo"te\n', 0.5],
          ["ü", Number.NaN],
          ["", Infinity],
        ],
      ],
      [
        true,
        "t\u2028é",
        [
          [true, -0],
          [false, 1e-300],
        ],
      ],
      [undefined, { 'k"': -1.5 }, []],
      [
        2.5,
        "",
        [
          [2.5, 1 / 3],
          [-7, 2 / 3],
        ],
      ],
    ].map(([label, input, proba]) => ({
      id: randomUUID(),
      name: "m",
      version: 2,
      input,
      label: label as PendingPrediction["label"],
      proba: new Map(proba as [PendingPrediction["label"] & {}, number][]),
      createdAt: Date.now(),
    }));
    expect(log.record(odd)).toBeUndefined();
    await log.close();
    for (const p of odd) {
      const row = await storage.db
        .selectFrom("model_predictions")
        .select(["input", "label", "probabilities"])
        .where("id", "=", p.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({
        input: JSON.stringify(p.input),
        label: p.label === undefined ? "null" : JSON.stringify(p.label),
        probabilities: JSON.stringify([...p.proba]),
      });
    }
    await storage.db.deleteFrom("model_predictions").where("version", "=", 2).execute();
  });

  it("makes predict calls wait when writes fall behind, instead of growing without bound", async () => {
    const log = new PredictionLog(storage, { maxPendingRows: 100, onError: (e) => errors.push(e) });
    expect(log.record(predictions(50, Date.now()))).toBeUndefined();
    const wait = log.record(predictions(100, Date.now()));
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    await log.close();
    expect(await count(storage)).toBe(2660);
  });

  it("deletes the predictions past the retention window", async () => {
    const log = new PredictionLog(storage, { onError: (e) => errors.push(e) });
    const old = predictions(7000, Date.now() - 90_000_000);
    expect(log.record(old)).toBeUndefined();
    await log.flush();
    expect(await log.deleteBefore(Date.now() - 86_400_000)).toBe(7000);
    expect(await count(storage)).toBe(2660);
    await log.close();
  });
});

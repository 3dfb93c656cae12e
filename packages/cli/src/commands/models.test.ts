import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { BagOfWords, MultinomialNB, Pipeline } from "@weir/learn";
import { startServer } from "@weir/server";
import type { WeirServer } from "@weir/server";
import { startTempServer } from "@weir/test-support";
import type { TempServer } from "@weir/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const bin = new URL("../../dist/bin.js", import.meta.url).pathname;
const KEY = "cli-models-key";

/** Runs `weir …` against `url`; resolves with its output and exit code (never rejects). */
async function weir(
  url: string,
  args: string[],
  key = KEY,
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { ...process.env, WEIR_API_URL: url, WEIR_API_KEY: key },
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

/** A sentiment model that learned `reviews`, published over HTTP as the next version of `name`. */
async function publish(url: string, name: string, reviews: [string, number][]): Promise<Pipeline<string>> {
  const model = new Pipeline<string>(new BagOfWords({ lowercase: true }), new MultinomialNB());
  for (const [text, label] of reviews) model.learnOne(text, label);
  const response = await fetch(`${url}/api/models/${name}/versions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ checkpoint: model.toJSON(), step: reviews.length, metrics: { accuracy: 0.5 } }),
  });
  if (response.status !== 201)
    throw new Error(`publish answered ${response.status}: ${await response.text()}`);
  return model;
}

const GOOD: [string, number] = ["The food was great", 1];
const BAD: [string, number] = ["Cold food and a rude waiter", 0];

// Each test runs several `weir` processes (about a second each, more on a busy machine).
describe("weir models", { timeout: 120_000 }, () => {
  let weirServer: TempServer<WeirServer>;
  let url = "";
  beforeAll(async () => {
    weirServer = await startTempServer((place) => startServer({ ...place, apiKey: KEY }), {
      prefix: "weir-cli-models-",
    });
    url = weirServer.url;
  });
  afterAll(async () => {
    await weirServer.close();
  });

  it("says how to publish when there is no model yet", async () => {
    const { stdout, code } = await weir(url, ["models", "ls"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^No models yet\. Publish one from a flow with ctx\.models\.publish/);
  });

  it("lists and shows models with their versions, aliases and metrics", async () => {
    await publish(url, "cli-sentiment", [GOOD]);
    await publish(url, "cli-sentiment", [GOOD, BAD]);
    const ls = await weir(url, ["models", "ls"]);
    expect(ls.stdout).toMatch(/^NAME\s+LATEST\s+VERSIONS\s+ALIASES/);
    expect(ls.stdout).toMatch(/\ncli-sentiment\s+2\s+2\s+-\s/);
    const show = await weir(url, ["models", "show", "cli-sentiment"]);
    expect(show.stdout).toContain("serving   version 2 by default (alias latest)");
    const rows = show.stdout.split("\n").filter((line) => /^\d+\s/.test(line));
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual(["2", "1"]);
    expect(rows[1]).toMatch(/\s1\s+-\s+accuracy=0\.5/);
    const json = JSON.parse((await weir(url, ["models", "show", "cli-sentiment", "--json"])).stdout) as {
      versions: unknown[];
    };
    expect(json.versions).toHaveLength(2);
  });

  it("promotes, predicts from the promoted version, and rolls back", async () => {
    const promoted = await weir(url, ["models", "promote", "cli-sentiment", "1"]);
    expect(promoted.stdout.trim()).toBe("Promoted cli-sentiment: production → version 1 (new alias)");
    const first = await weir(url, ["models", "predict", "cli-sentiment", "The food was great"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^cli-sentiment version 1: 1\n/);
    await weir(url, ["models", "promote", "cli-sentiment", "2"]);
    const answer = JSON.parse(
      (await weir(url, ["models", "predict", "cli-sentiment", "rude waiter", "--json"])).stdout,
    ) as { version: number; predictions: { label: unknown; probabilities: Record<string, number> }[] };
    expect(answer.version).toBe(2);
    expect(answer.predictions[0]!.label).toBe(0);
    const back = await weir(url, ["models", "rollback", "cli-sentiment"]);
    expect(back.stdout.trim()).toBe("Rolled back cli-sentiment: production → version 1 (was 2)");
    expect((await weir(url, ["models", "ls"])).stdout).toMatch(/cli-sentiment\s+2\s+2\s+production=1\s/);
    const pinned = await weir(url, ["models", "predict", "cli-sentiment", "rude waiter", "--version", "2"]);
    expect(pinned.stdout).toMatch(/^cli-sentiment version 2: 0\n/);
    const byAlias = await weir(url, [
      "models",
      "predict",
      "cli-sentiment",
      "rude waiter",
      "--alias",
      "latest",
    ]);
    expect(byAlias.stdout).toMatch(/^cli-sentiment version 2: 0\n/);
  });

  it("moves another alias with --alias", async () => {
    const candidate = await weir(url, ["models", "promote", "cli-sentiment", "2", "--alias", "candidate"]);
    expect(candidate.stdout.trim()).toBe("Promoted cli-sentiment: candidate → version 2 (new alias)");
    const rollback = await weir(url, ["models", "rollback", "cli-sentiment", "--alias", "candidate"]);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toMatch(
      /alias "candidate" of "cli-sentiment" never named another version than 2/,
    );
  });

  it("fails in one line on an unknown model or version, a bad version number, or a missing key", async () => {
    const unknown = await weir(url, ["models", "show", "no-such-model"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^weir: .*no-such-model/);
    const version = await weir(url, ["models", "promote", "cli-sentiment", "99"]);
    expect(version.code).toBe(1);
    expect(version.stderr).toMatch(/^weir: .*99/);
    const notNumber = await weir(url, ["models", "promote", "cli-sentiment", "two"]);
    expect(notNumber.code).toBe(1);
    expect(notNumber.stderr).toContain("expected a version number");
    const keyless = await weir(url, ["models", "promote", "cli-sentiment", "2"], "");
    expect(keyless.code, keyless.stdout + keyless.stderr).toBe(1);
    expect(keyless.stderr).toMatch(/set WEIR_API_KEY/);
    // Nothing changed: production still names version 1.
    expect((await weir(url, ["models", "ls"])).stdout).toMatch(/production=1/);
  });
});

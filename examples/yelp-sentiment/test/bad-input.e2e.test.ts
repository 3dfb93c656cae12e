// The components as real processes against a real server, fed what users feed them by mistake:
// a row over the event size limit, bytes that are not UTF-8, a wrong path or column, a Ctrl-C
// halfway, no server at all.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { connect } from "@weir/stream";
import type { Stream } from "@weir/stream";
import { freePort } from "@weir/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TestServer } from "./app-processes.js";
import { latestRun, startComponent, startTestServer, waitFor } from "./app-processes.js";

const SAMPLE = new URL("../data/reviews.csv", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "weir-yelp-bad-input-"));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A fresh topic name, so that each case counts only its own events. */
const topic = (): string => `bad_input_${randomUUID().slice(0, 8)}`;

describe("the publisher and the subscribers as processes, on bad input", () => {
  let server: TestServer;
  let stream: Stream;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    server = await startTestServer();
    stream = await connect({ url: server.url });
    env = { WEIR_API_URL: server.url, WEIR_HOME: join(server.home, "client"), WEIR_BATCH_INTERVAL_MS: "200" };
  });

  afterAll(async () => {
    await stream?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ["in batches", []],
    ["paced", ["--rate", "500"]],
  ])(
    "publishes every good row around a 2 MiB row and reports that row with its line and size (%s)",
    async (_, rateArgs) => {
      const lines = ["text,sentiment"];
      for (let i = 0; i < 30; i += 1)
        lines.push(i === 4 ? `${"x".repeat(2 * 1024 * 1024)},1` : `Row ${i},${i % 2}`);
      const path = file(`oversize-${rateArgs.length}.csv`, `${lines.join("\n")}\n`);
      const name = topic();
      const publisher = startComponent(["publish", "--data", path, "--topic", name, ...rateArgs], env);
      expect(await publisher.exited, publisher.output()).toEqual({ code: 0, signal: null });
      expect(publisher.output()).toMatch(
        /Skipped line 6: too large to publish: 2,097,\d{3} bytes as an event, over the limit of 1,048,576 bytes/,
      );
      expect((await stream.topicInfo(name)).eventCount).toBe(29);
      expect((await latestRun(server.url, "run-yelp-data-publisher"))?.state).toBe("Completed");
    },
  );

  it("sets aside a row that is not UTF-8, and publishes it with U+FFFD only with --allow-replacement", async () => {
    const path = file(
      "latin1.csv",
      Buffer.concat([
        Buffer.from("text,sentiment\nok,1\ncaf"),
        Buffer.from([0xe9]),
        Buffer.from(" au lait,0\n"),
      ]),
    );
    const strict = topic();
    const publisher = startComponent(["publish", "--data", path, "--topic", strict], env);
    expect(await publisher.exited, publisher.output()).toEqual({ code: 0, signal: null });
    expect(publisher.output()).toMatch(
      /Skipped line 3: bytes that are not valid UTF-8 .*--allow-replacement/,
    );
    expect((await stream.topicInfo(strict)).eventCount).toBe(1);

    const allowed = topic();
    const replacing = startComponent(
      ["publish", "--data", path, "--topic", allowed, "--allow-replacement"],
      env,
    );
    expect(await replacing.exited, replacing.output()).toEqual({ code: 0, signal: null });
    expect(replacing.output()).toMatch(
      /Line 3 holds bytes that are not valid UTF-8; published it with U\+FFFD/,
    );
    const texts: string[] = [];
    const reading = new AbortController();
    for await (const event of stream.subscribe(allowed, { from: "earliest", signal: reading.signal })) {
      texts.push(event.json<{ text: string }>().text);
      await event.ack();
      if (texts.length === 2) reading.abort();
    }
    expect(texts).toEqual(["ok", "caf\uFFFD au lait"]);
  });

  const folder = join(dir, "a-folder");
  mkdirSync(folder, { recursive: true });
  it.each([
    [
      "a missing file",
      ["--data", join(dir, "missing.csv")],
      /^weir: The reviews file \S+missing\.csv does not exist\. Pass an existing CSV file with --data/,
    ],
    [
      "a directory",
      ["--data", folder],
      /^weir: \S+a-folder is a directory, not a reviews file\. Pass the CSV file/,
    ],
    [
      "a missing column",
      ["--data", SAMPLE, "--label-column", "stars"],
      /^weir: \S+reviews\.csv has no label column "stars" \(its header is: text, sentiment\)\. Name the right one with --label-column\.$/,
    ],
  ])("fails at once on %s: one line naming it and what to do, exit 1, no retry", async (_, args, message) => {
    const name = topic();
    const publisher = startComponent(["publish", ...args, "--topic", name], env);
    expect(await publisher.exited).toEqual({ code: 1, signal: null });
    const lines = publisher.output().trim().split("\n");
    expect(lines, publisher.output()).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it("says where it stopped on Ctrl-C: stopped at <n> of 337, n being what was published", async () => {
    const name = topic();
    const publisher = startComponent(["publish", "--data", SAMPLE, "--topic", name, "--rate", "100"], env);
    await waitFor("30 published reviews", async () => {
      const info = await stream.topicInfo(name).catch(() => undefined);
      return info !== undefined && info.eventCount >= 30 ? true : undefined;
    });
    publisher.child.kill("SIGINT");
    await publisher.exited;
    const stopped = /Progress: stopped at (\d+) of 337 · (\d+) published/.exec(publisher.output());
    expect(stopped, publisher.output()).not.toBeNull();
    const [, at, published] = stopped!;
    expect(Number(at)).toBe(Number(published));
    expect(Number(published)).toBeLessThan(337);
    expect((await stream.topicInfo(name)).eventCount).toBe(Number(published));
    expect(publisher.output()).not.toMatch(/Done: 100%/);
  });
});

describe("a component started without a server", () => {
  it.each([["subscribe"], ["metrics"], ["publish"]])(
    "weir example yelp %s says so in one line within 3 s, exits 1 and creates no spool folder",
    async (command) => {
      const port = await freePort(); // nothing listens there
      const cwd = mkdtempSync(join(tmpdir(), "weir-yelp-no-server-"));
      try {
        const started = Date.now();
        const component = startComponent(
          [command],
          { WEIR_API_URL: `http://127.0.0.1:${port}`, WEIR_HOME: undefined, WEIR_STREAM_URL: undefined },
          cwd,
        );
        expect(await component.exited).toEqual({ code: 1, signal: null });
        expect(Date.now() - started).toBeLessThan(3000);
        expect(component.output().trim().split("\n")).toEqual([
          `weir: Cannot reach the Weir server at http://127.0.0.1:${port} (connection refused). ` +
            "Start one with `weir server start` (or run everything with `weir demo`), or set WEIR_API_URL to its address.",
        ]);
        expect(existsSync(join(cwd, ".weir"))).toBe(false);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    },
  );
});

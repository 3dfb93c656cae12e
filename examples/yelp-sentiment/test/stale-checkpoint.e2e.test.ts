import { writeFileSync } from "node:fs";
import { join } from "node:path";

import { connect } from "@weir/stream";
import type { Stream } from "@weir/stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { SubscriberCheckpoint } from "../src/learn-from-stream.js";
import { publishReviews } from "../src/publish-reviews.js";
import type { Component, TestServer } from "./app-processes.js";
import {
  countLogs,
  latestRun,
  readMetrics,
  startComponent,
  startTestServer,
  waitFor,
} from "./app-processes.js";

/** A CSV of `count` labelled reviews in the server's test folder. */
function reviewsFile(home: string, name: string, count: number): string {
  const lines = ["text,sentiment"];
  for (let i = 0; i < count; i += 1)
    lines.push(i % 2 === 0 ? `"Lovely place, visit ${i}",1` : `"Awful service, visit ${i}",0`);
  const path = join(home, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

describe("the model subscriber after river_pipeline was deleted and created again", () => {
  let server: TestServer;
  let env: NodeJS.ProcessEnv;
  let stream: Stream;
  const components: Component[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    env = { WEIR_API_URL: server.url, WEIR_HOME: `${server.home}/client`, WEIR_BATCH_INTERVAL_MS: "200" };
    stream = await connect({ url: server.url });
  });
  afterAll(async () => {
    for (const component of components) component.child.kill("SIGKILL");
    await stream?.close();
    await server?.close();
  });

  const metricsCount = async (): Promise<number> => (await stream.topicInfo("river_metrics")).eventCount;
  /** The subscriber's checkpoint as the server stores it. */
  const checkpoint = async (): Promise<SubscriberCheckpoint | undefined> => {
    const response = await fetch(
      `${server.url}/api/checkpoints/run-yelp-data-subscriber/${encodeURIComponent("sentiment-model:river_pipeline")}`,
    );
    if (response.status === 404) return undefined;
    return ((await response.json()) as { value: SubscriberCheckpoint }).value;
  };

  it("sets its checkpoint aside with a warning, learns the new events and publishes their metrics", async () => {
    await stream.ensureTopic("river_pipeline");
    await stream.ensureTopic("river_metrics");
    await publishReviews({ stream, path: reviewsFile(server.home, "first.csv", 40), keyPrefix: "first" });
    const first = startComponent(["subscribe"], env);
    components.push(first);
    await waitFor("a checkpoint of all 40 reviews", async () =>
      (await checkpoint())?.lastOffset === 40 ? true : undefined,
    );
    expect(await metricsCount()).toBe(40);
    first.child.kill("SIGINT");
    await first.exited;
    const firstRun = await latestRun(server.url, "run-yelp-data-subscriber");
    expect(firstRun?.state, first.output()).toBe("Cancelled");

    await stream.deleteTopic("river_pipeline");
    await stream.createTopic("river_pipeline");
    await publishReviews({ stream, path: reviewsFile(server.home, "second.csv", 25), keyPrefix: "second" });
    const second = startComponent(["subscribe"], env);
    components.push(second);
    await waitFor("the metrics of the 25 reviews of the new topic", async () =>
      (await metricsCount()) >= 65 ? true : undefined,
    );
    const metrics = await readMetrics(stream, "river_metrics", 65);
    // Learned from a fresh model: n counts from 1 again, one metrics event per new offset.
    expect(metrics.slice(40).map((m) => [m.offset, m.n])).toEqual(
      Array.from({ length: 25 }, (_, i) => [i + 1, i + 1]),
    );
    const run = await waitFor("the second subscriber's run", async () => {
      const latest = await latestRun(server.url, "run-yelp-data-subscriber");
      return latest?.id === firstRun?.id ? undefined : latest;
    });
    await waitFor("the warning about the checkpoint", async () =>
      (await countLogs(server.url, run.id, "was made for another incarnation of topic")) === 1
        ? true
        : undefined,
    );
    expect(
      await countLogs(
        server.url,
        run.id,
        'Checkpoint "sentiment-model:river_pipeline" (up to offset 40) was made for another incarnation of topic "river_pipeline"',
      ),
    ).toBe(1);
    await waitFor("a checkpoint of the new topic", async () =>
      (await checkpoint())?.lastOffset === 25 ? true : undefined,
    );
    const saved = await checkpoint();
    expect(saved?.topicId).toBe((await stream.topicInfo("river_pipeline")).topicId);
    second.child.kill("SIGINT");
    await second.exited;
    expect((await latestRun(server.url, "run-yelp-data-subscriber"))?.state).toBe("Cancelled");
  }, 90_000);
});

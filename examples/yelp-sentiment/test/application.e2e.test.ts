import { randomUUID } from "node:crypto";

import { connect } from "@weir/stream";
import { probeNats, probePostgres, probeSharedFile, requireService } from "@weir/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Component, TestServer } from "./app-processes.js";
import {
  api,
  countLogs,
  latestRun,
  readMetrics,
  startComponent,
  startTestServer,
  waitFor,
} from "./app-processes.js";

const yelp = await requireService("shared data/yelp.csv", () => probeSharedFile("data/yelp.csv"));
const nats = await requireService("NATS JetStream", () => probeNats());
const postgres = await requireService("PostgreSQL", () => probePostgres());

const RIVER = { precision: 0.7507002801120448, recall: 0.7184986595174263 };

/** Where the events flow and where the server keeps the control plane (runs, logs, metrics, checkpoints). */
interface Setup {
  readonly events: string;
  readonly storage: "SQLite" | "PostgreSQL";
  readonly skip: boolean;
  /** `undefined`: the embedded log of the test's Weir server. */
  readonly streamUrl: string | undefined;
  /** `undefined`: SQLite in the server's data folder; else a fresh database on this PostgreSQL. */
  readonly postgresUrl: string | undefined;
}

const setups: Setup[] = [
  { events: "embedded", storage: "SQLite", skip: yelp.skip, streamUrl: undefined, postgresUrl: undefined },
  {
    events: "NATS",
    storage: "SQLite",
    skip: yelp.skip || nats.skip,
    streamUrl: nats.value,
    postgresUrl: undefined,
  },
  {
    events: "embedded",
    storage: "PostgreSQL",
    skip: yelp.skip || postgres.skip,
    streamUrl: undefined,
    postgresUrl: postgres.value,
  },
  // Beyond one machine: NATS for the events, PostgreSQL for the control plane.
  {
    events: "NATS",
    storage: "PostgreSQL",
    skip: yelp.skip || nats.skip || postgres.skip,
    streamUrl: nats.value,
    postgresUrl: postgres.value,
  },
];

describe.each(setups)("the application as three processes: $events events, server on $storage", (backend) => {
  // Unique topics, so runs on a shared NATS server never see each other's events.
  const suffix = randomUUID().slice(0, 8);
  const pipelineTopic = `river_pipeline_${suffix}`;
  const metricsTopic = `river_metrics_${suffix}`;
  let server: TestServer;
  let env: NodeJS.ProcessEnv;
  const components: Component[] = [];

  beforeAll(async () => {
    if (backend.skip) return;
    server = await startTestServer({ postgresUrl: backend.postgresUrl });
    env = {
      WEIR_API_URL: server.url,
      WEIR_HOME: `${server.home}/client`,
      WEIR_BATCH_INTERVAL_MS: "200",
      ...(backend.streamUrl === undefined ? {} : { WEIR_STREAM_URL: backend.streamUrl }),
    };
  });

  afterAll(async () => {
    if (backend.skip || server === undefined) return;
    for (const component of components) component.child.kill("SIGKILL");
    if (backend.streamUrl !== undefined) {
      const stream = await connect({ url: backend.streamUrl });
      await stream.deleteTopic(pipelineTopic).catch(() => undefined);
      await stream.deleteTopic(metricsTopic).catch(() => undefined);
      await stream.close();
    }
    await server.close();
  });

  it.skipIf(backend.skip)(
    "ends with River's precision and recall and exactly 44 + 190 warnings at threshold 0.60",
    async () => {
      // The server really stores the control plane where this case says.
      const health = await api<{ database: string }>(server.url, "/health");
      expect(health.database).toBe(backend.storage === "PostgreSQL" ? "postgres" : "sqlite");

      const monitor = startComponent(["metrics", "--threshold", "0.60", "--topic", metricsTopic], env);
      const subscriber = startComponent(
        ["subscribe", "--input-topic", pipelineTopic, "--metrics-topic", metricsTopic],
        env,
      );
      components.push(monitor, subscriber);
      const publisher = startComponent(["publish", "--data", yelp.value!, "--topic", pipelineTopic], env);
      components.push(publisher);
      expect(await publisher.exited, publisher.output()).toEqual({ code: 0, signal: null });

      // Every row yields one metrics event; read them all from the topic.
      const stream = await connect({ url: backend.streamUrl ?? server.url });
      try {
        await waitFor("750 metrics events", async () =>
          (await stream.topicInfo(metricsTopic)).eventCount >= 750 ? true : undefined,
        );
        const metrics = await readMetrics(stream, metricsTopic, 750);
        expect((await stream.topicInfo(metricsTopic)).eventCount).toBe(750);
        expect(metrics.map((m) => m.n)).toEqual(Array.from({ length: 750 }, (_, i) => i + 1));
        expect(metrics[0]).toMatchObject({ precision: 0, recall: 0 });
        expect(metrics[749]).toMatchObject(RIVER);
      } finally {
        await stream.close();
      }

      const runs = {
        publisher: await latestRun(server.url, "run-yelp-data-publisher"),
        subscriber: await latestRun(server.url, "run-yelp-data-subscriber"),
        monitor: await latestRun(server.url, "run-metrics-subscriber"),
      };
      expect(runs.publisher?.state).toBe("Completed");
      expect(runs.subscriber?.state).toBe("Running");
      expect(runs.monitor?.state).toBe("Running");

      // The subscriber's chart points end on River's numbers.
      const series = await waitFor("the subscriber's 750th precision point", async () => {
        const all = await api<{ name: string; points: { step: number; value: number }[] }[]>(
          server.url,
          `/runs/${runs.subscriber!.id}/metrics`,
        );
        const precision = all.find((s) => s.name === "precision");
        return precision?.points.some((p) => p.step === 750) ? all : undefined;
      });
      const last = (name: string): number | undefined =>
        series.find((s) => s.name === name)?.points.find((p) => p.step === 750)?.value;
      expect(last("precision")).toBe(RIVER.precision);
      expect(last("recall")).toBe(RIVER.recall);

      const monitorId = runs.monitor!.id;
      await waitFor("the monitor's 190 recall warnings", async () =>
        (await countLogs(server.url, monitorId, "Recall is below threshold: ")) >= 190 ? true : undefined,
      );
      await waitFor("the monitor's 44 precision warnings", async () =>
        (await countLogs(server.url, monitorId, "Precision is below threshold: ")) >= 44 ? true : undefined,
      );
      // Nothing more may arrive: wait past the client's batch interval, then count exactly.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await countLogs(server.url, monitorId, "Precision is below threshold: ")).toBe(44);
      expect(await countLogs(server.url, monitorId, "Recall is below threshold: ")).toBe(190);

      // Ctrl-C: both subscribers stop gracefully and their runs end Cancelled.
      subscriber.child.kill("SIGINT");
      monitor.child.kill("SIGINT");
      await Promise.all([subscriber.exited, monitor.exited]);
      expect((await latestRun(server.url, "run-yelp-data-subscriber"))?.state).toBe("Cancelled");
      expect((await latestRun(server.url, "run-metrics-subscriber"))?.state).toBe("Cancelled");
      const artifacts = await api<{ key: string; data: string }[]>(
        server.url,
        `/runs/${runs.subscriber!.id}/artifacts`,
      );
      const report = artifacts.find((a) => a.key === "classification-report");
      expect(report?.data).toContain("75.07%   71.85%   73.42%       373");
    },
    90_000,
  );
});

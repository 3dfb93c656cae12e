import { randomUUID } from "node:crypto";

import type { LogLevel, Run, StateType } from "@weir/protocol";

/** A tiny client for seeding a real Weir server through its public HTTP API (docs/api.md). */
export class Seeder {
  #seq = new Map<string, number>();

  /** `apiKey`: the key of a server started with one, sent with every request. */
  constructor(
    readonly baseUrl: string,
    readonly apiKey?: string,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Creates a run (Running unless told otherwise) and returns it. */
  run(input: {
    flowName: string;
    name?: string;
    kind?: "flow" | "task";
    tags?: string[];
    description?: string;
    parameters?: Record<string, unknown>;
    parentRunId?: string;
    flowRunId?: string;
    state?: "Scheduled" | "Pending" | "Running";
    timestamp?: string;
  }): Promise<Run> {
    return this.request<Run>("POST", "/api/runs", {
      kind: "flow",
      state: "Running",
      ...input,
      id: randomUUID(),
    });
  }

  async setState(runId: string, type: StateType, message?: string, timestamp?: string): Promise<void> {
    await this.request("POST", `/api/runs/${runId}/state`, { id: randomUUID(), type, message, timestamp });
  }

  #next(runId: string): number {
    const n = this.#seq.get(runId) ?? 0;
    this.#seq.set(runId, n + 1);
    return n;
  }

  async logs(runId: string, lines: { level: LogLevel; message: string }[]): Promise<void> {
    // Spread over the last seconds, as a flow that has been running a while would have logged them.
    const now = Date.now();
    const logs = lines.map((l, i) => ({
      runId,
      seq: this.#next(runId),
      ...l,
      timestamp: new Date(now - (lines.length - i) * 1700).toISOString(),
    }));
    await this.request("POST", "/api/ingest", { logs });
  }

  async metrics(runId: string, name: string, values: number[]): Promise<void> {
    const metrics = values.map((value, step) => ({
      runId,
      seq: this.#next(runId),
      name,
      value,
      step,
      timestamp: new Date(Date.now() - (values.length - step) * 1000).toISOString(),
    }));
    await this.request("POST", "/api/ingest", { metrics });
  }

  async artifact(
    runId: string,
    artifact: { key?: string; type: string; data: unknown; description?: string },
  ): Promise<void> {
    await this.request("POST", `/api/runs/${runId}/artifacts`, artifact);
  }
}

/**
 * Seeds the three components of the reference application, as the original design's users saw
 * them: the publisher Completed, the two subscribers Running, the monitor's WARNINGs, the model's
 * precision/recall, a few older Failed/Crashed/Cancelled runs, task runs and a child run.
 */
export async function seedReferenceApp(s: Seeder): Promise<{
  publisher: Run;
  model: Run;
  monitor: Run;
  failed: Run;
}> {
  const ago = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString();
  // History: a few finished runs of each flow over the last hours.
  const history: [string, StateType, number, number][] = [
    ["run-yelp-data-publisher", "Completed", 300, 4],
    ["run-yelp-data-publisher", "Completed", 240, 6],
    ["river-model-subscriber", "Cancelled", 230, 30],
    ["river-metrics-monitor", "Cancelled", 228, 29],
    ["run-yelp-data-publisher", "Failed", 180, 1],
    ["river-model-subscriber", "Crashed", 170, 12],
    ["run-yelp-data-publisher", "Completed", 120, 5],
    ["river-metrics-monitor", "Completed", 110, 8],
    ["river-model-subscriber", "Completed", 100, 9],
  ];
  let failed: Run | undefined;
  for (const [flowName, state, startedMinutesAgo, minutes] of history) {
    const run = await s.run({
      flowName,
      tags: ["yelp"],
      timestamp: ago(startedMinutesAgo),
      parameters: { path: "data/yelp.csv" },
    });
    await s.setState(
      run.id,
      state,
      state === "Failed" ? "FileNotFoundError: data/yelp.csv" : undefined,
      ago(startedMinutesAgo - minutes),
    );
    if (state === "Failed") failed = run;
  }

  const publisher = await s.run({
    flowName: "run-yelp-data-publisher",
    name: "publish-yelp-reviews",
    tags: ["yelp", "publisher"],
    parameters: { path: "data/yelp.csv", topic: "river_pipeline" },
    timestamp: ago(3),
  });
  const publish = await s.run({
    kind: "task",
    flowName: "run-yelp-data-publisher",
    name: "publish-rows-1",
    flowRunId: publisher.id,
    timestamp: ago(3),
  });
  await s.logs(publisher.id, [
    { level: "info", message: "Reading data/yelp.csv" },
    { level: "info", message: "Published 1000 events to river_pipeline" },
  ]);
  await s.setState(publish.id, "Completed", undefined, ago(1));
  await s.artifact(publisher.id, {
    key: "publish-report",
    type: "markdown",
    data: "# Publish report\n\n**1000** rows published to `river_pipeline`.\n\n<img src=x onerror=alert(1)>\n\n- [CSV](https://example.com/yelp.csv)\n- [bad](javascript:alert(1))",
  });
  await s.artifact(publisher.id, {
    key: "row-counts",
    type: "table",
    data: [
      { sentiment: 0, rows: 480 },
      { sentiment: 1, rows: 520 },
    ],
  });
  await s.artifact(publisher.id, {
    key: "dataset",
    type: "link",
    data: "https://example.com/yelp.csv",
    description: "source",
  });
  await s.setState(publisher.id, "Completed", undefined, ago(1));

  const model = await s.run({
    flowName: "river-model-subscriber",
    name: "sentiment-model",
    tags: ["yelp", "model"],
    parameters: { topic: "river_pipeline", group: "sentiment-model" },
    timestamp: ago(2),
  });
  // Learning curves with a little deterministic wobble, crossing the monitor's 0.60 threshold.
  const precision = Array.from(
    { length: 40 },
    (_, i) => 0.45 + 0.25 * (1 - Math.exp(-i / 12)) + 0.02 * Math.sin(i * 1.7),
  );
  const recall = Array.from(
    { length: 40 },
    (_, i) => 0.5 + 0.2 * (1 - Math.exp(-i / 8)) + 0.015 * Math.cos(i * 2.3),
  );
  await s.metrics(model.id, "precision", precision);
  await s.metrics(model.id, "recall", recall);
  await s.logs(model.id, [{ level: "info", message: "Subscribed to river_pipeline as sentiment-model" }]);
  const child = await s.run({
    flowName: "river-model-checkpointer",
    name: "checkpoint-1",
    parentRunId: model.id,
    timestamp: ago(1),
  });
  await s.setState(child.id, "Completed");

  const monitor = await s.run({
    flowName: "river-metrics-monitor",
    name: "metrics-monitor",
    tags: ["yelp", "monitor"],
    description: "Warns when precision or recall falls below the threshold.",
    parameters: { topic: "river_metrics", threshold: 0.6 },
    timestamp: ago(2),
  });
  const lines: { level: LogLevel; message: string }[] = [];
  for (let i = 0; i < 12; i++) {
    lines.push({ level: "info", message: `Read metrics event ${i + 1} from river_metrics` });
    if (i % 3 === 0)
      lines.push({ level: "warning", message: `Precision is below threshold: 0.${5 + (i % 2)}` });
    if (i === 7) lines.push({ level: "debug", message: "Recall 0.71, precision 0.58" });
  }
  await s.logs(monitor.id, lines);
  if (!failed) throw new Error("seed: no Failed run was created");
  return { publisher, model, monitor, failed };
}

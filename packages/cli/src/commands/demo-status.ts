/** What the demo's status line shows about one component. */
export interface ComponentStatus {
  /** The flow run's state on the server, once the run exists. */
  state?: string;
  /** Set when the process ended: how. */
  exit?: string;
}

/** Inputs of {@link readStatus}. */
export interface StatusQuery {
  readonly apiUrl: string;
  /** Runs started before this are from earlier sessions and ignored. */
  readonly since: Date;
  readonly pipelineTopic: string;
  readonly metricsTopic: string;
}

/** One poll of the server. */
export interface StatusSnapshot {
  readonly states: Readonly<Record<string, string>>;
  readonly runIds: Readonly<Record<string, string>>;
  readonly pipelineEvents: number | undefined;
  readonly metricsEvents: number | undefined;
  readonly warnings: number | undefined;
}

async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return undefined;
    return (await response.json()) as T;
  } catch {
    return undefined;
  }
}

/**
 * Asks the server for the demo's runs (newest of each flow since the demo started), the topics'
 * event counts (embedded backend only) and the monitor's warning count. Missing parts are
 * `undefined`; it never throws.
 *
 * @example
 * const snapshot = await readStatus({ apiUrl, since, pipelineTopic: "river_pipeline", metricsTopic: "river_metrics" });
 */
export async function readStatus(query: StatusQuery): Promise<StatusSnapshot> {
  const api = `${query.apiUrl}/api`;
  const runs = await getJson<{ items: { id: string; flowName: string; state: string }[] }>(
    `${api}/runs?since=${encodeURIComponent(query.since.toISOString())}&limit=50&sort=start-desc`,
  );
  const states: Record<string, string> = {};
  const runIds: Record<string, string> = {};
  for (const run of runs?.items ?? []) {
    if (states[run.flowName] !== undefined) continue;
    states[run.flowName] = run.state;
    runIds[run.flowName] = run.id;
  }
  const topic = (name: string): Promise<{ eventCount: number } | undefined> =>
    getJson<{ eventCount: number }>(`${api}/topics/${encodeURIComponent(name)}`);
  const monitorId = runIds["run-metrics-subscriber"];
  const [pipeline, metrics, warnings] = await Promise.all([
    topic(query.pipelineTopic),
    topic(query.metricsTopic),
    monitorId === undefined
      ? Promise.resolve(undefined)
      : getJson<{ total: number }>(`${api}/runs/${monitorId}/logs?level=warning&q=below%20threshold&limit=1`),
  ]);
  return {
    states,
    runIds,
    pipelineEvents: pipeline?.eventCount,
    metricsEvents: metrics?.eventCount,
    warnings: warnings?.total,
  };
}

/**
 * The one-line status, e.g.
 * `publisher Completed · subscriber Running · monitor Running · 337 reviews, 337 metrics · 41 warnings`.
 *
 * @example
 * formatStatus(snapshot, { publisher: {}, subscriber: {}, monitor: {} });
 */
export function formatStatus(
  snapshot: StatusSnapshot,
  components: Readonly<Record<"publisher" | "subscriber" | "monitor", ComponentStatus>>,
): string {
  const flows = {
    publisher: "run-yelp-data-publisher",
    subscriber: "run-yelp-data-subscriber",
    monitor: "run-metrics-subscriber",
  } as const;
  const parts = (Object.keys(flows) as (keyof typeof flows)[]).map((name) => {
    const exit = components[name].exit;
    const state = snapshot.states[flows[name]];
    if (state !== undefined && exit !== undefined && state !== "Running") return `${name} ${state}`;
    return `${name} ${exit ?? state ?? "starting"}`;
  });
  if (snapshot.pipelineEvents !== undefined) {
    parts.push(`${snapshot.pipelineEvents} reviews, ${snapshot.metricsEvents ?? 0} metrics`);
  }
  if (snapshot.warnings !== undefined) parts.push(`${snapshot.warnings} warnings`);
  return parts.join(" · ");
}

/** What the demo prints when it stops: the model's last numbers and the monitor's warnings. */
export interface FinalNumbers {
  /** Precision and recall of class 0 in the last metrics event, and the reviews learned by then. */
  readonly scores:
    { readonly precision: number; readonly recall: number; readonly reviews: number } | undefined;
  readonly precisionWarnings: number | undefined;
  readonly recallWarnings: number | undefined;
}

/** Where {@link readFinalNumbers} looks. */
export interface FinalNumbersQuery {
  readonly apiUrl: string;
  /** The event backend (`WEIR_STREAM_URL`, else the Weir server). */
  readonly streamUrl: string;
  readonly metricsTopic: string;
  /** The demo's runs, from {@link readStatus}. */
  readonly runIds: Readonly<Record<string, string>>;
}

/**
 * Reads the last event of the metrics topic (the model's numbers after the last review it
 * learned) and the monitor run's warning counts. Missing parts are `undefined`; it never throws.
 *
 * @example
 * const numbers = await readFinalNumbers({ apiUrl, streamUrl: apiUrl, metricsTopic: "river_metrics", runIds });
 */
export async function readFinalNumbers(query: FinalNumbersQuery): Promise<FinalNumbers> {
  const monitorId = query.runIds["run-metrics-subscriber"];
  const warnings = (text: string): Promise<number | undefined> =>
    monitorId === undefined
      ? Promise.resolve(undefined)
      : getJson<{ total: number }>(
          `${query.apiUrl}/api/runs/${monitorId}/logs?level=warning&q=${encodeURIComponent(text)}&limit=1`,
        ).then((page) => page?.total);
  const [last, precisionWarnings, recallWarnings] = await Promise.all([
    lastMetrics(query.streamUrl, query.metricsTopic),
    warnings("Precision is below threshold"),
    warnings("Recall is below threshold"),
  ]);
  return {
    scores:
      last === undefined ? undefined : { precision: last.precision, recall: last.recall, reviews: last.n },
    precisionWarnings,
    recallWarnings,
  };
}

/** The last event of the metrics topic, or `undefined` (none yet, or the backend does not answer). */
async function lastMetrics(
  streamUrl: string,
  topic: string,
): Promise<{ precision: number; recall: number; n: number } | undefined> {
  const { connect } = await import("@weir/stream");
  const signal = AbortSignal.timeout(5000);
  let stream: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    stream = await connect({ url: streamUrl, signal, timeoutMs: 3000 });
    const info = await stream.topicInfo(topic);
    if (info.eventCount === 0) return undefined;
    for await (const event of stream.subscribe(topic, { from: { offset: info.lastOffset }, signal })) {
      return event.json<{ precision: number; recall: number; n: number }>();
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    await stream?.close().catch(() => undefined);
  }
}

/**
 * The closing line about the model, e.g.
 * `Final precision 0.7507002801120448 · recall 0.7184986595174263 (class 0, after 750 reviews) · warnings: 44 precision, 190 recall`.
 *
 * @example
 * console.log(formatFinalNumbers(await readFinalNumbers(apiUrl, runIds)));
 */
export function formatFinalNumbers(numbers: FinalNumbers): string {
  const scores =
    numbers.scores === undefined
      ? "No precision/recall yet (the subscriber learned no review)"
      : `Final precision ${numbers.scores.precision} · recall ${numbers.scores.recall} ` +
        `(class 0, after ${numbers.scores.reviews} reviews)`;
  const warnings =
    numbers.precisionWarnings === undefined || numbers.recallWarnings === undefined
      ? "warnings: unknown (no monitor run)"
      : `warnings: ${numbers.precisionWarnings} precision, ${numbers.recallWarnings} recall`;
  return `${scores} · ${warnings}`;
}

/**
 * Why a component failed, from the end of its output: the command's own last line (`weir: …`),
 * else the last ERROR line of its run log, else its last line.
 *
 * @example
 * lastErrorLine("…\nweir: The reviews file /x.csv does not exist. …\n"); // "The reviews file /x.csv does not exist. …"
 */
export function lastErrorLine(output: string): string | undefined {
  const lines = output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const command = lines.findLast((line) => /^(weir|publish|subscribe|monitor): /.test(line));
  if (command !== undefined) return command.replace(/^\w+: /, "");
  const logged = lines.findLast((line) => /\|\s*(ERROR|CRITICAL)\s*\|/.test(line));
  if (logged !== undefined) return logged.replace(/^.*?\|\s*(ERROR|CRITICAL)\s*\|\s*/, "");
  return lines.at(-1);
}

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

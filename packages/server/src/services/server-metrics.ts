/**
 * Counters exported on `/metrics` in the Prometheus text format (hand-written: a few counters do
 * not need a client library).
 */
export class ServerMetrics {
  readonly ingest = {
    logs: 0,
    logDuplicates: 0,
    metrics: 0,
    metricDuplicates: 0,
    states: 0,
    rejected: 0,
    batches: 0,
  };
  crashesDetected = 0;
  retentionDeletedRuns = 0;
  readonly #http = new Map<string, number>();

  /** Counts one answered HTTP request. */
  countRequest(method: string, route: string, status: number): void {
    const key = `${method}\u0000${route}\u0000${status}`;
    this.#http.set(key, (this.#http.get(key) ?? 0) + 1);
  }

  /** Renders everything, with the run counts read from storage by the caller. */
  render(runsByState: { kind: string; state: string; n: number }[]): string {
    const lines: string[] = [];
    const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
    lines.push("# HELP weir_runs Runs stored, by kind and state.", "# TYPE weir_runs gauge");
    for (const r of runsByState)
      lines.push(`weir_runs{kind="${esc(r.kind)}",state="${esc(r.state)}"} ${r.n}`);
    const counter = (name: string, help: string, value: number, labels = "") => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name}${labels} ${value}`);
    };
    counter("weir_ingest_batches_total", "Ingest batches received.", this.ingest.batches);
    lines.push(
      "# HELP weir_ingest_items_total Items stored by ingest, by kind.",
      "# TYPE weir_ingest_items_total counter",
      `weir_ingest_items_total{kind="log"} ${this.ingest.logs}`,
      `weir_ingest_items_total{kind="metric"} ${this.ingest.metrics}`,
      `weir_ingest_items_total{kind="state"} ${this.ingest.states}`,
      "# HELP weir_ingest_duplicates_total Items ignored because (run, seq) was already stored.",
      "# TYPE weir_ingest_duplicates_total counter",
      `weir_ingest_duplicates_total{kind="log"} ${this.ingest.logDuplicates}`,
      `weir_ingest_duplicates_total{kind="metric"} ${this.ingest.metricDuplicates}`,
    );
    counter(
      "weir_ingest_rejected_total",
      "Ingest items refused (unknown run, invalid transition).",
      this.ingest.rejected,
    );
    counter(
      "weir_runs_crashed_by_liveness_total",
      "Runs marked Crashed because their heartbeats stopped.",
      this.crashesDetected,
    );
    counter("weir_retention_deleted_runs_total", "Runs deleted by retention.", this.retentionDeletedRuns);
    lines.push(
      "# HELP weir_http_requests_total HTTP requests answered.",
      "# TYPE weir_http_requests_total counter",
    );
    for (const [key, n] of this.#http) {
      const [method = "", route = "", status = ""] = key.split("\u0000");
      lines.push(
        `weir_http_requests_total{method="${esc(method)}",route="${esc(route)}",status="${status}"} ${n}`,
      );
    }
    return `${lines.join("\n")}\n`;
  }
}

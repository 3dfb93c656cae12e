import { LOG_LEVELS, isTerminalState, parseLiveEvent } from "@weir/protocol";
import type { LogLine, Page, Run } from "@weir/protocol";
import { Command, InvalidArgumentError } from "commander";
import { EventSourceParserStream } from "eventsource-parser/stream";

import { addRunControl } from "./runs-control.js";

/** The server the CLI talks to: `WEIR_API_URL`, default http://127.0.0.1:4200. */
export function apiUrl(): string {
  return (process.env.WEIR_API_URL ?? "http://127.0.0.1:4200").replace(/\/+$/, "");
}

async function getJson<T>(path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiUrl() + path);
  } catch (cause) {
    throw new Error(
      `cannot reach the Weir server at ${apiUrl()} (start it with \`weir server start\` or set WEIR_API_URL)`,
      { cause },
    );
  }
  const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  if (!res.ok) throw new Error(body?.error?.message ?? `${res.status} ${res.statusText} from ${path}`);
  return body as T;
}

function duration(ms: number | null): string {
  if (ms === null) return "-";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
}

function when(text: string | null): string {
  return text === null ? "-" : text.replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/** Renders rows as a left-aligned table with a header. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

function formatLog(line: LogLine): string {
  const fields = line.fields === null ? "" : ` ${JSON.stringify(line.fields)}`;
  return `${when(line.timestamp)} ${line.level.toUpperCase().padEnd(8)} ${line.message}${fields}`;
}

interface LsOptions {
  state?: string;
  flow?: string;
  tag?: string;
  kind: string;
  limit: number;
  json?: boolean;
}

async function listCommand(opts: LsOptions): Promise<void> {
  const query = new URLSearchParams({ kind: opts.kind, limit: String(opts.limit) });
  if (opts.state !== undefined) query.set("state", opts.state);
  if (opts.flow !== undefined) query.set("flow", opts.flow);
  if (opts.tag !== undefined) query.set("tag", opts.tag);
  const page = await getJson<Page<Run>>(`/api/runs?${query.toString()}`);
  if (opts.json === true) {
    console.log(JSON.stringify(page.items, null, 2));
    return;
  }
  if (page.items.length === 0) {
    console.log("No runs match.");
    return;
  }
  console.log(
    table(
      ["ID", "NAME", "FLOW", "STATE", "STARTED", "DURATION"],
      page.items.map((r) => [
        r.id,
        r.name,
        r.taskName ?? r.flowName,
        r.state,
        when(r.startTime ?? r.createdAt),
        duration(r.durationMs),
      ]),
    ),
  );
  const shown = page.items.length;
  const total = page.totalCapped ? `${page.total}+` : String(page.total);
  if (page.nextCursor !== null) console.log(`(${shown} of ${total}; use --limit to see more)`);
}

/** Follows the live channel for one run, printing log lines after `afterSeq`, until it ends. */
async function follow(runId: string, afterSeq: number, level: string | undefined): Promise<void> {
  const minimum = level === undefined ? 0 : LOG_LEVELS.indexOf(level as (typeof LOG_LEVELS)[number]);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  let last = afterSeq;
  try {
    const res = await fetch(`${apiUrl()}/api/events?runId=${runId}`, { signal: controller.signal });
    if (!res.ok || res.body === null) throw new Error(`cannot follow run ${runId}: ${res.status}`);
    // The run may have ended between the page and the subscription.
    const current = await getJson<Run>(`/api/runs/${runId}`);
    if (isTerminalState(current.state)) {
      // It may have logged more between our last page and its end.
      await printPages(runId, last, level);
      console.log(endLine(current));
      return;
    }
    // Server-sent events as the standard frames them (LF, CR or CRLF line ends, data over several
    // lines, comments), read by a maintained parser.
    const events = res.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
      .getReader();
    for (;;) {
      const { value: message, done } = await events.read();
      if (done) return;
      // Only the events this command prints; the channel may carry others (and newer kinds).
      if (message.event !== "log" && message.event !== "run") continue;
      const event = parseLiveEvent(message.event, message.data);
      if (event.type === "log" && event.data.runId === runId && event.data.seq > last) {
        if (LOG_LEVELS.indexOf(event.data.level) >= minimum) console.log(formatLog(event.data));
        last = event.data.seq;
      }
      if (event.type === "run" && event.data.id === runId && isTerminalState(event.data.state)) {
        console.log(endLine(event.data));
        return;
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    process.off("SIGINT", stop);
    controller.abort();
  }
}

function endLine(run: Run): string {
  return `— run ${run.state}${run.stateMessage ? `: ${run.stateMessage}` : ""}`;
}

/** Prints every line after `afterSeq`, page by page; resolves with the last seq printed. */
async function printPages(runId: string, afterSeq: number, level: string | undefined): Promise<number> {
  let cursor: string | null = null;
  let last = afterSeq;
  do {
    const query = new URLSearchParams({ limit: "500", order: "asc" });
    if (level !== undefined) query.set("level", level);
    if (cursor !== null) query.set("cursor", cursor);
    const page: Page<LogLine> = await getJson(
      `/api/runs/${encodeURIComponent(runId)}/logs?${query.toString()}`,
    );
    for (const line of page.items) {
      if (line.seq <= afterSeq) continue;
      console.log(formatLog(line));
      last = Math.max(last, line.seq);
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
  return last;
}

async function logsCommand(runId: string, opts: { follow?: boolean; level?: string }): Promise<void> {
  const last = await printPages(runId, -1, opts.level);
  if (opts.follow === true) await follow(runId, last, opts.level);
}

function level(value: string): string {
  const lower = value.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(lower))
    throw new InvalidArgumentError(`must be one of ${LOG_LEVELS.join(", ")}.`);
  return lower;
}

function limit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError("must be an integer 1–500.");
  return n;
}

/**
 * `weir runs ls` and `weir runs logs`: inspect flow runs on the server at `WEIR_API_URL`.
 *
 * @example
 * weir runs ls --state Running,Failed --flow model-subscriber
 * weir runs logs 0b6f3c1e-5d7a-4a7e-9c1b-2f3e4d5a6b7c --follow
 */
export function runsCommand(): Command {
  const runs = new Command("runs").description(
    "list flow runs, show their logs, cancel and retry them (server at $WEIR_API_URL)",
  );
  runs
    .command("ls")
    .description("list runs, newest first")
    .option("--state <states>", "only these states (comma list, e.g. Running,Failed)")
    .option("--flow <name>", "only runs of this flow")
    .option("--tag <tag>", "only runs with this tag")
    .option("--kind <kind>", "flow or task", "flow")
    .option("--limit <n>", "how many (1–500)", limit, 20)
    .option("--json", "print JSON instead of a table")
    .action(listCommand);
  runs
    .command("logs")
    .description("print a run's logs")
    .argument("<run>", "run id")
    .option("-f, --follow", "keep printing new lines until the run ends (Ctrl-C stops)")
    .option("--level <level>", "minimum level (debug, info, warning, error, critical)", level)
    .action(logsCommand);
  addRunControl(runs);
  return runs;
}

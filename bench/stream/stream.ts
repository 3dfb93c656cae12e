/**
 * Stream benchmark: publishes 200,000 JSON events of about 200 bytes with pipelined acks, then
 * consumes them with one group, on the embedded backend (Weir server in a child process) and Weir's
 * NATS backend, and the same workload written directly on the NATS client v3 (raw-nats.ts) on the
 * same JetStream. Each round measures the NATS backend and the raw client one after the other, the
 * order alternating from round to round. Writes medians, CPU per event and every round into the
 * generated blocks of bench/stream/RESULTS-stream.md (the rest of that file is kept).
 *
 *   npm run build && npm run bench:stream
 *   env: BENCH_EVENTS (200000), BENCH_RUNS (5), BENCH_BACKENDS (embedded,nats,raw),
 *        WEIR_TEST_NATS_URL (nats://127.0.0.1:4222), BENCH_NATS_PID (found in /proc if unset)
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { connect } from "@weir/stream";
import type { Stream } from "@weir/stream";

import { RawNats } from "./raw-nats.js";
import { natsServerCpu } from "./server-cpu.js";
import { measurePhase, median, payload, pipelined } from "./workload.js";
import type { Phase } from "./workload.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const NATS_URL = process.env.WEIR_TEST_NATS_URL ?? "nats://127.0.0.1:4222";
const WINDOW = 8192;
const ONLY = (process.env.BENCH_BACKENDS ?? "embedded,nats,raw").split(",");

interface Figures {
  readonly publish: Phase;
  readonly consume: Phase;
}

const serverCpu = natsServerCpu(Number(new URL(NATS_URL.split(",")[0] ?? NATS_URL).port || 4222));
const noServerCpu = (): number => Number.NaN;

async function measureStream(stream: Stream, topic: string): Promise<Figures> {
  const cpu = stream.backend === "nats" ? serverCpu : noServerCpu;
  console.log(`  ${stream.backend}: publishing ${EVENTS} events`);
  await stream.createTopic(topic);
  const events = Array.from({ length: EVENTS }, (_, i) => ({ data: payload(i) }));
  const publish = await measurePhase(EVENTS, cpu, () =>
    pipelined(EVENTS, WINDOW, (i) => stream.publish(topic, events[i] as { data: unknown })),
  );
  console.log(`  ${stream.backend}: ${Math.round(publish.perS)} publishes/s; consuming`);
  const consume = await measurePhase(EVENTS, cpu, async () => {
    let seen = 0;
    let lastSeen = 0;
    const stop = new AbortController();
    // A watchdog, so that a stalled consumer ends the measurement instead of hanging the benchmark.
    const watchdog = setInterval(() => {
      if (seen === lastSeen)
        stop.abort(new Error(`${stream.backend}: no progress for 30 s at ${seen} events`));
      lastSeen = seen;
    }, 30_000);
    try {
      for await (const event of stream.subscribe(topic, {
        group: "bench",
        maxInFlight: WINDOW,
        signal: stop.signal,
      })) {
        event.json();
        await event.ack();
        if (++seen === EVENTS) break;
      }
    } finally {
      clearInterval(watchdog);
    }
    if (seen < EVENTS)
      throw new Error(`${stream.backend}: consumption stalled at ${seen} of ${EVENTS} events`);
  });
  console.log(`  ${stream.backend}: ${Math.round(consume.perS)} consumed/s`);
  await stream.deleteTopic(topic).catch(() => undefined);
  return { publish, consume };
}

async function measureRawNats(name: string): Promise<Figures> {
  const raw = await RawNats.open(NATS_URL);
  try {
    const subject = await raw.createStream(name);
    const inputs = Array.from({ length: EVENTS }, (_, i) => ({ data: payload(i) }));
    console.log(`  raw: publishing ${EVENTS} events`);
    const publish = await measurePhase(EVENTS, serverCpu, () => raw.publish(subject, inputs, WINDOW));
    console.log(`  raw: ${Math.round(publish.perS)} publishes/s; consuming`);
    const consume = await measurePhase(EVENTS, serverCpu, () => raw.consume(name, EVENTS, WINDOW));
    console.log(`  raw: ${Math.round(consume.perS)} consumed/s`);
    await raw.deleteStream(name).catch(() => undefined);
    return { publish, consume };
  } finally {
    await raw.close();
  }
}

function spawnServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const entry = pathToFileURL(join(root, "packages/server/dist/index.js")).href;
  const code = `const { startServer } = await import(${JSON.stringify(entry)});
const server = await startServer({ port: 0, dataDir: ${JSON.stringify(dataDir)} });
console.log("READY " + server.url);`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /READY (\S+)/.exec(out);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

type Backend = "embedded" | "nats" | "raw";

interface Round {
  readonly order: Backend[];
  readonly loadBefore: number;
  readonly loadAfter: number;
  readonly figures: Partial<Record<Backend, Figures>>;
}

const fmt = (value: number): string =>
  Number.isNaN(value) ? "—" : Math.round(value).toLocaleString("en-US");
const fmt1 = (value: number): string => (Number.isNaN(value) ? "—" : value.toFixed(1));
const ratio = (a: number, b: number): string => (a / b).toFixed(2);

/** The runs of `backend` in every round that measured it. */
function runsOf(rounds: readonly Round[], backend: Backend): Figures[] {
  return rounds.flatMap((round) => (round.figures[backend] ? [round.figures[backend]] : []));
}

const phaseMedian = (runs: readonly Figures[], phase: keyof Figures, field: keyof Phase): number =>
  median(runs.map((run) => run[phase][field]));

/** Weir's NATS backend over the raw client, round by round (only rounds that measured both). */
function pairedRatios(rounds: readonly Round[], phase: keyof Figures): number[] {
  return rounds.flatMap((round) =>
    round.figures.nats && round.figures.raw
      ? [round.figures.nats[phase].perS / round.figures.raw[phase].perS]
      : [],
  );
}

function machineNote(rounds: readonly Round[]): string {
  const loads = rounds.flatMap((round) => [round.loadBefore, round.loadAfter]);
  return (
    `${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}, Node ${process.version}, ` +
    `load average (1 min) ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the rounds`
  );
}

/** Every round of `backends`, rounded, for the record. */
function roundsJson(rounds: readonly Round[], backends: readonly Backend[]): string {
  const phase = (p: Phase) => ({
    perS: Math.round(p.perS),
    clientCpuUs: Number(p.clientCpuUs.toFixed(1)),
    serverCpuUs: Number.isNaN(p.serverCpuUs) ? null : Number(p.serverCpuUs.toFixed(1)),
  });
  return JSON.stringify(
    rounds.map((round) => ({
      order: round.order.filter((b) => backends.includes(b)),
      load: [Number(round.loadBefore.toFixed(2)), Number(round.loadAfter.toFixed(2))],
      ...Object.fromEntries(
        backends.flatMap((b) => {
          const figures = round.figures[b];
          return figures ? [[b, { publish: phase(figures.publish), consume: phase(figures.consume) }]] : [];
        }),
      ),
    })),
  );
}

const failuresOf = (failures: readonly string[], backends: readonly Backend[]): string => {
  const mine = failures.filter((failure) => backends.some((b) => failure.startsWith(`${b},`)));
  return mine.length === 0 ? "none" : mine.join("; ");
};

function natsSection(
  rounds: readonly Round[],
  failures: readonly string[],
  command: string,
  when: string,
): string {
  const nats = runsOf(rounds, "nats");
  const raw = runsOf(rounds, "raw");
  const row = (
    label: string,
    phase: keyof Figures,
    field: keyof Phase,
    format: (v: number) => string,
  ): string => {
    const a = phaseMedian(nats, phase, field);
    const b = phaseMedian(raw, phase, field);
    return `| ${label} | ${format(a)} | ${format(b)} | ${field === "perS" ? ratio(a, b) + "×" : "—"} |`;
  };
  const paired = (phase: keyof Figures): string =>
    pairedRatios(rounds, phase)
      .map((r) => r.toFixed(2))
      .join(", ");
  return `### Weir's NATS backend vs the raw NATS client v3 (${when})

Command: \`${command}\`. ${EVENTS.toLocaleString("en-US")} events, ${rounds.length} rounds, the order of the two
alternating from round to round (${rounds.map((round) => round.order.filter((b) => b !== "embedded").join(" → ")).join("; ")}); medians.
Machine: ${machineNote(rounds)}.

| median of ${rounds.length} rounds | Weir NATS backend | raw client v3 | Weir / raw |
|---|---|---|---|
${row("publishes/s", "publish", "perS", fmt)}
${row("consumed/s", "consume", "perS", fmt)}
${row("client CPU per published event, µs", "publish", "clientCpuUs", fmt1)}
${row("client CPU per consumed event, µs", "consume", "clientCpuUs", fmt1)}
${row("nats-server CPU per published event, µs", "publish", "serverCpuUs", fmt1)}
${row("nats-server CPU per consumed event, µs", "consume", "serverCpuUs", fmt1)}

Paired ratios Weir / raw, round by round: publishing ${paired("publish")} (median ${median(pairedRatios(rounds, "publish")).toFixed(2)}); consuming ${paired("consume")} (median ${median(pairedRatios(rounds, "consume")).toFixed(2)}).

Failed measurements: ${failuresOf(failures, ["nats", "raw"])}. Every round: \`${roundsJson(rounds, ["nats", "raw"])}\``;
}

function embeddedSection(
  rounds: readonly Round[],
  failures: readonly string[],
  command: string,
  when: string,
): string {
  const runs = runsOf(rounds, "embedded");
  return `### Embedded backend (${when})

Command: \`${command}\`. Machine: ${machineNote(rounds)}.

| median of ${runs.length} rounds | durable publishes/s | consumed/s |
|---|---|---|
| embedded (Weir server in a child process) | ${fmt(phaseMedian(runs, "publish", "perS"))} | ${fmt(phaseMedian(runs, "consume", "perS"))} |

Failed measurements: ${failuresOf(failures, ["embedded"])}. Every round: \`${roundsJson(rounds, ["embedded"])}\``;
}

/** Replaces the text between `<!-- name:begin -->` and `<!-- name:end -->` (appends the block when missing). */
function replaceBlock(text: string, name: string, body: string): string {
  const begin = `<!-- ${name}:begin (written by bench/stream/stream.ts) -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n${body}\n${end}`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return `${text.trimEnd()}\n\n${block}\n`;
  return text.slice(0, from) + block + text.slice(to + end.length);
}

async function main(): Promise<void> {
  const rounds: Round[] = [];
  const failures: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), "weir-bench-stream-"));
  const server = ONLY.includes("embedded") ? await spawnServer(dataDir) : undefined;
  try {
    for (let run = 0; run < RUNS; run++) {
      const tag = `${randomUUID().slice(0, 8)}-${run}`;
      // The NATS backend and the raw client take turns at going first.
      const pair: Backend[] = run % 2 === 0 ? ["nats", "raw"] : ["raw", "nats"];
      const order = (["embedded", ...pair] as Backend[]).filter((name) => ONLY.includes(name));
      const figures: Partial<Record<Backend, Figures>> = {};
      const measure: Record<Backend, () => Promise<Figures>> = {
        embedded: async () => {
          const embedded = await connect({ url: server?.url });
          try {
            return await measureStream(embedded, `stream-bench-${tag}`);
          } finally {
            await embedded.close();
          }
        },
        nats: async () => {
          const nats = await connect({ url: NATS_URL });
          try {
            return await measureStream(nats, `stream-bench-${tag}`);
          } finally {
            await nats.close();
          }
        },
        raw: () => measureRawNats(`RAW_STREAM_BENCH_${tag.replace(/\W/g, "_")}`),
      };
      const loadBefore = loadavg()[0] ?? 0;
      for (const name of order) {
        try {
          figures[name] = await measure[name]();
        } catch (error) {
          failures.push(`${name}, round ${run + 1}: ${(error as Error).message}`);
          console.error(`  ${name} failed: ${(error as Error).message}`);
        }
      }
      rounds.push({ order, loadBefore, loadAfter: loadavg()[0] ?? 0, figures });
      console.log(
        `round ${run + 1}/${RUNS} (load ${loadBefore.toFixed(1)}): ` +
          order
            .map(
              (k) =>
                `${k} pub ${fmt(figures[k]?.publish.perS ?? NaN)}/s cons ${fmt(figures[k]?.consume.perS ?? NaN)}/s`,
            )
            .join(" | "),
      );
    }
  } finally {
    server?.child.kill("SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
  }
  const when = new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC";
  const env = ["BENCH_EVENTS", "BENCH_BACKENDS", "WEIR_TEST_NATS_URL"]
    .filter((name) => process.env[name] !== undefined)
    .map((name) => `${name}=${process.env[name]} `)
    .join("");
  const command = `${env}BENCH_RUNS=${RUNS} npm run bench:stream`;
  const file = join(here, "RESULTS-stream.md");
  let text = existsSync(file) ? readFileSync(file, "utf8") : "# Stream benchmark (`npm run bench:stream`)\n";
  if (ONLY.includes("nats") && ONLY.includes("raw"))
    text = replaceBlock(text, "nats", natsSection(rounds, failures, command, when));
  if (ONLY.includes("embedded"))
    text = replaceBlock(text, "embedded", embeddedSection(rounds, failures, command, when));
  writeFileSync(file, text);
  console.log(text);
}

await main();

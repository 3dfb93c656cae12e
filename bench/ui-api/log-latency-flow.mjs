// The flow of `log-latency.bench.ts`: a real @weir/flow process with the default client settings.
// It prints {"ready": runId}, then for each `go <phase> <count> <minGapMs> <maxGapMs>` line on stdin
// logs `count` probe lines (`latency-probe <phase> <i> <epochMs>`, the time taken just before the
// logger call) with seeded random gaps, and prints {"phase", "lines", "requests"}: how many
// `POST /api/ingest` requests the client made for them. `stop` ends the flow.
import process from "node:process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { URL, pathToFileURL } from "node:url";

let ingestRequests = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (url.endsWith("/api/ingest") && init?.body && !String(init.body).startsWith('{"heartbeats"'))
    ingestRequests++;
  return realFetch(input, init);
};

// BENCH_FLOW_ENTRY: another build of @weir/flow to measure (e.g. the previous reporter), as a path.
const entry = process.env.BENCH_FLOW_ENTRY;
const { flow, getRunLogger } = await import(entry ? pathToFileURL(entry).href : "@weir/flow");

/** mulberry32: the same gaps in every measurement, so that two builds are compared on equal terms. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const run = flow({ name: "log-latency-bench", runName: "probe" }, async (_params, ctx) => {
  const logger = getRunLogger();
  logger.info("latency bench started");
  process.stdout.write(`${JSON.stringify({ ready: ctx.runId })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, phase, count, minGap, maxGap] = line.trim().split(" ");
    if (command === "stop") break;
    if (command !== "go") continue;
    const before = ingestRequests;
    const random = seeded(phase.length * 7919);
    for (let i = 0; i < Number(count); i++) {
      const gap = Number(minGap) + random() * (Number(maxGap) - Number(minGap));
      await sleep(gap);
      logger.info(`latency-probe ${phase} ${i} ${Date.now()}`);
    }
    // Everything delivered (the last batch at most one interval later).
    await sleep(2500);
    const requests = ingestRequests - before;
    process.stdout.write(`${JSON.stringify({ phase, lines: Number(count), requests })}\n`);
  }
});

await run();

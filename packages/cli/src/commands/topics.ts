import { connect } from "@weir/stream";
import type { StartPosition, Stream, StreamEvent, TopicInfo } from "@weir/stream";
import { Command, InvalidArgumentError } from "commander";

import { table } from "./runs.js";

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

function startPosition(value: string): StartPosition {
  if (value === "earliest" || value === "latest") return value;
  const offset = Number(value);
  if (!Number.isInteger(offset) || offset < 0)
    throw new InvalidArgumentError('expected "earliest", "latest" or an offset');
  return { offset };
}

/** Connects with `--url` or WEIR_STREAM_URL / WEIR_API_URL, runs `body`, always closes. */
async function withStream<T>(url: string | undefined, body: (stream: Stream) => Promise<T>): Promise<T> {
  const stream = await connect({ ...(url === undefined ? {} : { url }), timeoutMs: 5000 });
  try {
    return await body(stream);
  } finally {
    await stream.close();
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function describe(info: TopicInfo): string {
  const lines = [
    `topic        ${info.name}`,
    `events       ${info.eventCount}`,
    `offsets      ${info.eventCount === 0 ? "-" : `${info.firstOffset} … ${info.lastOffset}`}`,
    `bytes        ${formatBytes(info.bytes)}`,
    `retention    ${info.maxAgeMs === undefined ? "no age limit" : `${info.maxAgeMs} ms`}, ${info.maxBytes === undefined ? "no size limit" : formatBytes(info.maxBytes)}`,
  ];
  if (info.groups.length === 0) lines.push("groups       none");
  else {
    lines.push(
      "",
      table(
        ["GROUP", "ACKED", "PENDING", "LAG"],
        info.groups.map((g) => [g.name, String(g.ackedOffset), String(g.pending), String(g.lag)]),
      ),
    );
  }
  return lines.join("\n");
}

function formatEvent(event: StreamEvent, json: boolean): string {
  const textual = /^(text\/|application\/json)/.test(event.mimetype);
  const data = textual ? event.text() : `<${event.data.byteLength} bytes ${event.mimetype}>`;
  if (json)
    return JSON.stringify({
      offset: event.offset,
      id: event.id,
      createdAt: event.createdAt.toISOString(),
      typeName: event.typeName,
      typeVersion: event.typeVersion,
      metadata: event.metadata,
      mimetype: event.mimetype,
      data,
    });
  const type =
    event.typeName === undefined
      ? ""
      : ` ${event.typeName}${event.typeVersion === undefined ? "" : `@${event.typeVersion}`}`;
  return `${String(event.offset).padStart(6)}  ${event.createdAt.toISOString()}${type}  ${data}`;
}

/**
 * `weir topics list | create | info | delete | tail`: manage and watch topics on the backend that
 * WEIR_STREAM_URL (or the Weir server at WEIR_API_URL) names.
 *
 * @example
 * weir topics create river_pipeline --max-age 86400000
 * weir topics tail river_pipeline --from earliest
 */
export function topicsCommand(): Command {
  const topics = new Command("topics").description("list, create, inspect and tail topics (the event log)");
  const url = [
    "--url <url>",
    "stream backend: memory:, nats://host:4222 or the Weir server URL (default WEIR_STREAM_URL, else WEIR_API_URL)",
  ] as const;

  topics
    .command("list")
    .alias("ls")
    .description("list topics with their event counts and consumer groups")
    .option(...url)
    .option("--json", "print JSON")
    .action(async (opts: { url?: string; json?: boolean }) => {
      const list = await withStream(opts.url, (stream) => stream.listTopics());
      if (opts.json === true) return console.log(JSON.stringify(list, null, 2));
      if (list.length === 0) return console.log("No topics. Create one with `weir topics create <name>`.");
      console.log(
        table(
          ["TOPIC", "EVENTS", "FIRST", "LAST", "SIZE", "GROUPS"],
          list.map((t) => [
            t.name,
            String(t.eventCount),
            String(t.firstOffset),
            String(t.lastOffset),
            formatBytes(t.bytes),
            t.groups.map((g) => `${g.name} (lag ${g.lag})`).join(", ") || "-",
          ]),
        ),
      );
    });

  topics
    .command("create <topic>")
    .description("create a topic (no error when it exists with --if-missing)")
    .option(...url)
    .option("--max-age <ms>", "remove events older than this", positiveInt)
    .option("--max-bytes <bytes>", "remove the oldest events beyond this size", positiveInt)
    .option("--replicas <n>", "NATS only: stream replicas", positiveInt)
    .option("--if-missing", "succeed when the topic already exists")
    .action(
      async (
        name: string,
        opts: { url?: string; maxAge?: number; maxBytes?: number; replicas?: number; ifMissing?: boolean },
      ) => {
        const options = {
          ...(opts.maxAge === undefined ? {} : { maxAgeMs: opts.maxAge }),
          ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
          ...(opts.replicas === undefined ? {} : { replicas: opts.replicas }),
        };
        const info = await withStream(opts.url, (stream) =>
          opts.ifMissing === true ? stream.ensureTopic(name, options) : stream.createTopic(name, options),
        );
        console.log(`Topic "${info.name}" is ready (${info.eventCount} events).`);
      },
    );

  topics
    .command("info <topic>")
    .description("show a topic's offsets, size, retention and consumer groups")
    .option(...url)
    .option("--json", "print JSON")
    .action(async (name: string, opts: { url?: string; json?: boolean }) => {
      const info = await withStream(opts.url, (stream) => stream.topicInfo(name));
      console.log(opts.json === true ? JSON.stringify(info, null, 2) : describe(info));
    });

  topics
    .command("delete <topic>")
    .description("delete a topic and all its events")
    .option(...url)
    .action(async (name: string, opts: { url?: string }) => {
      await withStream(opts.url, (stream) => stream.deleteTopic(name));
      console.log(`Topic "${name}" deleted.`);
    });

  topics
    .command("tail <topic>")
    .description("print events as they arrive (Ctrl-C to stop)")
    .option(...url)
    .option(
      "--from <position>",
      'where to start: "latest", "earliest" or an offset',
      startPosition,
      "latest" as StartPosition,
    )
    .option("-n, --limit <count>", "stop after this many events", positiveInt)
    .option("--json", "print one JSON object per line")
    .action(
      async (name: string, opts: { url?: string; from: StartPosition; limit?: number; json?: boolean }) => {
        const stop = new AbortController();
        const onSignal = (): void => stop.abort();
        process.once("SIGINT", onSignal);
        process.once("SIGTERM", onSignal);
        try {
          await withStream(opts.url, async (stream) => {
            await stream.topicInfo(name);
            let count = 0;
            for await (const event of stream.subscribe(name, { from: opts.from, signal: stop.signal })) {
              console.log(formatEvent(event, opts.json === true));
              await event.ack();
              if (opts.limit !== undefined && ++count >= opts.limit) break;
            }
          });
        } finally {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
        }
      },
    );

  return topics;
}

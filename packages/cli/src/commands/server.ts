import { startServer } from "@weir/server";
import { Command, InvalidArgumentError } from "commander";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError("must be a port number 0–65535.");
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a positive number.");
  return n;
}

interface StartOptions {
  host: string;
  port: number;
  db?: string;
  apiKey?: string;
  dataDir: string;
  retentionDays?: number;
  log?: boolean;
}

/**
 * `weir server start`: runs the Weir server in the foreground until SIGINT/SIGTERM, then stops
 * gracefully (ends live streams, finishes background jobs, closes the database).
 *
 * @example
 * weir server start --port 4200 --db postgres://postgres@127.0.0.1:5432/weir
 */
export function serverCommand(): Command {
  const server = new Command("server").description("run the Weir server (API, dashboard, event log)");
  server
    .command("start")
    .description("start the Weir server in the foreground (Ctrl-C stops it)")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0 = any free port)", port, 4200)
    .option(
      "--db <url>",
      "sqlite:<path> or postgres://user@host:5432/db (default: sqlite:<data-dir>/weir.db)",
    )
    .option("--api-key <key>", "require this key for every write (default: $WEIR_API_KEY)")
    .option("--data-dir <dir>", "folder for the SQLite database and the event log", ".weir")
    .option("--retention-days <days>", "delete runs, logs and metrics older than this", positive)
    .option("--log", "log every request to stdout")
    .action(async (opts: StartOptions) => {
      const running = await startServer({
        host: opts.host,
        port: opts.port,
        dataDir: opts.dataDir,
        ...(opts.db !== undefined ? { db: opts.db } : {}),
        ...(opts.apiKey !== undefined ? { apiKey: opts.apiKey } : {}),
        ...(opts.retentionDays !== undefined ? { retentionDays: opts.retentionDays } : {}),
        logger: opts.log === true,
      });
      console.log(`Weir server listening on ${running.url}`);
      console.log(`  dashboard ${running.url}/   API ${running.url}/api   metrics ${running.url}/metrics`);
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once("SIGINT", () => resolve("SIGINT"));
        process.once("SIGTERM", () => resolve("SIGTERM"));
      });
      console.log(`${signal}: stopping…`);
      await running.close();
      console.log("Weir server stopped.");
    });
  return server;
}

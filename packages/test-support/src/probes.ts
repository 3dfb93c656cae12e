import { existsSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import type { ProbeResult } from "./require-service.js";

/** Opens a TCP connection and resolves with the first bytes the server sends (or "" on connect). */
function tcpGreeting(host: string, port: number, timeoutMs: number, waitForData: boolean): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (value: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolvePromise(value);
    };
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot connect to ${host}:${port} (${error.message})`));
    });
    socket.once("connect", () => {
      if (!waitForData) done("");
    });
    socket.once("data", (chunk) => done(chunk.toString("utf8")));
  });
}

/**
 * Finds PostgreSQL: `WEIR_TEST_POSTGRES_URL` or `postgres://postgres@127.0.0.1:5432/test`.
 * @example const pg = await requireService("PostgreSQL", () => probePostgres());
 */
export async function probePostgres(env: NodeJS.ProcessEnv = process.env): Promise<ProbeResult<string>> {
  const url = env.WEIR_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const parsed = new URL(url);
  await tcpGreeting(parsed.hostname, Number(parsed.port || 5432), 2000, false);
  return { ok: true, value: url };
}

/**
 * Finds a NATS server with JetStream: `WEIR_TEST_NATS_URL` or `nats://127.0.0.1:4222`.
 * @example const nats = await requireService("NATS JetStream", () => probeNats());
 */
export async function probeNats(env: NodeJS.ProcessEnv = process.env): Promise<ProbeResult<string>> {
  const url = env.WEIR_TEST_NATS_URL ?? "nats://127.0.0.1:4222";
  const parsed = new URL(url.replace(/^nats:/, "http:"));
  const greeting = await tcpGreeting(parsed.hostname, Number(parsed.port || 4222), 2000, true);
  if (!greeting.startsWith("INFO ")) return { ok: false, reason: `${url} did not greet like a NATS server` };
  const info = JSON.parse(greeting.slice(5).trim()) as { jetstream?: boolean };
  if (info.jetstream !== true)
    return { ok: false, reason: `${url} runs without JetStream (start it with -js)` };
  return { ok: true, value: url };
}

/**
 * Finds the system Chromium: `WEIR_CHROMIUM_PATH`, `/usr/bin/chromium` or `/usr/bin/chromium-browser`.
 * @example const chromium = await requireService("Chromium", () => probeChromium());
 */
export function probeChromium(env: NodeJS.ProcessEnv = process.env): Promise<ProbeResult<string>> {
  const candidates = [env.WEIR_CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  const found = candidates.find((path): path is string => path !== undefined && existsSync(path));
  return Promise.resolve(
    found
      ? { ok: true, value: found }
      : { ok: false, reason: "no Chromium binary (install it with `apt-get install -y chromium`)" },
  );
}

/** The repository root (the folder holding this workspace's root package.json). */
export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * Finds a file in the read-only `shared/` folder that sits beside the repository
 * (`WEIR_SHARED_DIR` overrides it).
 * @example const yelp = await requireService("shared data", () => probeSharedFile("data/yelp.csv"));
 */
export function probeSharedFile(
  relativePath: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProbeResult<string>> {
  const base = env.WEIR_SHARED_DIR ?? join(repoRoot, "..", "shared");
  const path = join(base, relativePath);
  return Promise.resolve(
    existsSync(path) ? { ok: true, value: path } : { ok: false, reason: `${path} does not exist` },
  );
}

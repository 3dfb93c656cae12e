/**
 * A server for the models benchmark, in a process of its own (so that the load generator does not
 * share its event loop): `serve.ts weir <dataDir>` starts the Weir server on SQLite, `serve.ts bare`
 * a bare Fastify app whose `POST /predict` parses the JSON body and answers a constant (the ceiling
 * of the HTTP path). Prints `READY <url>` once listening; answers an IPC message "cpu" with its
 * `process.cpuUsage()` (so that the benchmark can count CPU time per request); stops on SIGTERM.
 */
import { startServer } from "@weir/server";
import Fastify from "fastify";

const [kind, dataDir] = process.argv.slice(2);

async function start(): Promise<{ url: string; close: () => Promise<void> }> {
  if (kind === "weir") {
    const server = await startServer({ port: 0, dataDir: dataDir!, uiDir: `${dataDir}/no-ui`, apiKey: "" });
    return { url: server.url, close: () => server.close() };
  }
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  const answer = JSON.stringify({
    model: "bare",
    version: 1,
    predictions: [
      { id: "0b6f3c1e-5d7a-4a7e-9c1b-2f3e4d5a6b7c", label: 1, probabilities: { "1": 0.9, "0": 0.1 } },
    ],
  });
  app.post("/predict", (_request, reply) => {
    void reply.type("application/json; charset=utf-8").send(answer);
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

const server = await start();
process.stdout.write(`READY ${server.url}\n`);
process.on("message", (message) => {
  if (message === "cpu") process.send?.(process.cpuUsage());
});
process.on("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});

// A Weir server replica in a process of its own, for the multi-replica acceptance test:
//   node --import tsx replica-process.ts <db-url> <data-dir>
// prints its URL on stdout, stops on SIGTERM.
import { join } from "node:path";

import { startServer } from "../src/start-server.js";

const [db, dataDir] = process.argv.slice(2);
const server = await startServer({
  port: 0,
  db,
  dataDir,
  uiDir: join(dataDir ?? ".", "no-ui"),
  apiKey: "",
  // Short horizon and frequent passes: the replicas race for every slot during the whole test.
  schedulerIntervalMs: 100,
  scheduleHorizonMs: 1500,
});
process.stdout.write(`${server.url}\n`);
process.once("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});

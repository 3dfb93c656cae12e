// The server under benchmark, in a process of its own so that its CPU time can be read:
//   node --import tsx server-process.ts <db-url> <data-dir>
// prints its URL on stdout, stops on SIGTERM.
import { join } from "node:path";

import { startServer } from "@weir/server";

const [db, dataDir = "."] = process.argv.slice(2);
const server = await startServer({ port: 0, db, dataDir, uiDir: join(dataDir, "no-ui"), apiKey: "" });
process.stdout.write(`${server.url}\n`);
process.once("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});

import { readFileSync } from "node:fs";

/** The version of the `weir` package, read from its package.json at run time. */
export const version: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

#!/usr/bin/env node
// Entry module: runs the component as its own process, e.g. `node examples/yelp-sentiment/dist/bin/publish.js`.
import { publisherArgs } from "../component-args.js";
import { runPublisherComponent } from "../component-runners.js";

try {
  await runPublisherComponent(publisherArgs(process.argv.slice(2)));
} catch (error) {
  console.error(`publish: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

#!/usr/bin/env node
// Entry module: runs the component as its own process, e.g. `node examples/yelp-sentiment/dist/bin/publish.js`.
import { publisherArgs } from "../component-args.js";
import { runYelpDataPublisher } from "../flows/publisher-flow.js";

try {
  await runYelpDataPublisher(publisherArgs(process.argv.slice(2)));
} catch (error) {
  console.error(`publish: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

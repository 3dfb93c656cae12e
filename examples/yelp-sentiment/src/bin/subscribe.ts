#!/usr/bin/env node
// Entry module: runs the component as its own process, e.g. `node examples/yelp-sentiment/dist/bin/subscribe.js`.
import { subscriberArgs } from "../component-args.js";
import { runSubscriberComponent } from "../component-runners.js";

try {
  await runSubscriberComponent(subscriberArgs(process.argv.slice(2)));
} catch (error) {
  console.error(`subscribe: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

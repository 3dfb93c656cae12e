#!/usr/bin/env node
// Entry module: runs the component as its own process, e.g. `node examples/yelp-sentiment/dist/bin/feedback.js`.
import { feedbackArgs } from "../component-args.js";
import { runFeedbackComponent } from "../component-runners.js";

try {
  await runFeedbackComponent(feedbackArgs(process.argv.slice(2)));
} catch (error) {
  if (!(error instanceof Error && error.name === "WeirCancelledError")) {
    console.error(`feedback: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

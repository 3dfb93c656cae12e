// A model subscriber written with consume() of @weir/flow: it learns every review exactly once across
// crashes and publishes the metrics of each. Run: node --import tsx minimal-subscriber.ts <topic> <metrics topic>
import { consume, flow } from "@weir/flow";
import type { HandleContext } from "@weir/flow";
import { connect } from "@weir/stream";

import { SentimentModel } from "../src/sentiment-model.js";
import type { ReviewEvent } from "../src/topics.js";

const [topic = "river_pipeline", metricsTopic = "river_metrics"] = process.argv.slice(2);
const often = { checkpointEvery: 500, checkpointIntervalMs: 200, ackWaitMs: 2000 }; // as exactly-once.e2e runs the CLI

function handle(review: ReviewEvent, model: SentimentModel, { event, publish }: HandleContext): void {
  const { precision, recall, n } = model.step(review.text, review.sentiment);
  publish(metricsTopic, { data: { precision, recall, n, offset: event.offset } });
}

await flow({ name: "minimal-subscriber" }, async (_: void, { checkpoint: checkpoints, signal }) => {
  const stream = await connect();
  const state = new SentimentModel();
  await consume({ ...often, stream, topic, group: "sentiment-model", checkpoints, signal, state, handle });
  await stream.close();
})();

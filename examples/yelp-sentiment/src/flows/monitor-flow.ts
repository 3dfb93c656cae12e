import { flow, getRunLogger } from "@weir/flow";
import type { FlowContext } from "@weir/flow";
import { connect } from "@weir/stream";

import { monitorMetrics } from "../monitor-metrics.js";
import type { MonitorResult } from "../monitor-metrics.js";
import { FLOW_NAMES, METRICS_TOPIC, METRICS_TOPIC_OPTIONS, MONITOR_GROUP } from "../topics.js";
import { checkedSchema, monitorParameters } from "./parameter-schemas.js";

/** Parameters of {@link runMetricsSubscriber}. */
export interface MonitorParams {
  /** @default 0.6 */
  readonly threshold?: number;
  /** @default "river_metrics" */
  readonly topic?: string;
  /** @default "metrics-monitor" */
  readonly group?: string;
  /** Event backend URL; default `WEIR_STREAM_URL`, else the Weir server. */
  readonly streamUrl?: string;
}

/**
 * The metrics monitor as a flow (`run-metrics-subscriber`): logs `Precision is below threshold: <p>`
 * and `Recall is below threshold: <r>` at WARNING through the run logger. Runs until stopped.
 *
 * @example
 * await runMetricsSubscriber({ threshold: 0.6 });
 */
export const runMetricsSubscriber = flow(
  {
    name: FLOW_NAMES.monitor,
    logPrints: true,
    tags: ["yelp-sentiment"],
    parameters: checkedSchema<MonitorParams>()(monitorParameters),
  },
  async (params: MonitorParams, ctx: FlowContext): Promise<MonitorResult> => {
    const topic = params.topic ?? METRICS_TOPIC;
    const threshold = params.threshold ?? 0.6;
    const stream = await connect({
      ...(params.streamUrl ? { url: params.streamUrl } : {}),
      signal: ctx.signal,
    });
    try {
      await stream.ensureTopic(topic, METRICS_TOPIC_OPTIONS);
      ctx.logger.info(`Watching "${topic}" on the ${stream.backend} backend; threshold ${threshold}`);
      const logger = getRunLogger();
      return await monitorMetrics({
        stream,
        topic,
        threshold,
        group: params.group ?? MONITOR_GROUP,
        warn: (message) => logger.warn(message),
        signal: ctx.signal,
      });
    } finally {
      await stream.close();
    }
  },
);

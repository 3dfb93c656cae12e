import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

import type { DeployOptions, Flow } from "@weir/flow";

import { SAMPLE_DATA } from "./component-args.js";
import { runMetricsSubscriber } from "./flows/monitor-flow.js";
import type { MonitorParams } from "./flows/monitor-flow.js";
import { runYelpDataPublisher } from "./flows/publisher-flow.js";
import type { PublisherParams } from "./flows/publisher-flow.js";
import { runYelpDataSubscriber } from "./flows/subscriber-flow.js";
import type { SubscriberParams } from "./flows/subscriber-flow.js";
import { METRICS_TOPIC, PIPELINE_TOPIC } from "./topics.js";

/** The work pool of the application's deployments, so that its worker runs nothing else. */
export const APPLICATION_POOL = "yelp-sentiment";

/** Options of {@link applicationDeployments}; the defaults are those of `weir demo`. */
export interface ApplicationOptions {
  /** The reviews the publisher streams. @default the bundled sample (337 reviews) */
  readonly data?: string;
  /** Publisher events per second; `undefined`: as fast as acks allow. @default 25 */
  readonly rate?: number | undefined;
  readonly textColumn?: string | undefined;
  readonly labelColumn?: string | undefined;
  readonly allowReplacement?: boolean | undefined;
  /** The monitor warns below this precision or recall. @default 0.6 */
  readonly threshold?: number;
  /** @default "river_pipeline" */
  readonly pipelineTopic?: string;
  /** @default "river_metrics" */
  readonly metricsTopic?: string;
  /** The subscriber publishes a model version every this many reviews. @default 100 */
  readonly publishEvery?: number;
  /** @default {@link APPLICATION_POOL} */
  readonly workPool?: string;
}

/** One deployment of the application: the flow, and the options to pass to `deploy()` with it. */
export interface ApplicationDeployment<P> {
  readonly flow: Flow<P, unknown>;
  readonly options: DeployOptions<P> & { readonly name: string };
}

/** The three deployments, by component. */
export interface ApplicationDeployments {
  readonly subscriber: ApplicationDeployment<SubscriberParams>;
  readonly monitor: ApplicationDeployment<MonitorParams>;
  readonly publisher: ApplicationDeployment<PublisherParams>;
}

/**
 * Where this package lives, and the path from there of its main module, which exports the flows
 * that a worker's child runner starts: `./dist/index.js` (`./src/index.ts` when run from source).
 */
function here(): { root: string; module: string } {
  const file = fileURLToPath(import.meta.url);
  const root = resolve(dirname(file), "..");
  const index = join(dirname(file), `index${extname(file)}`);
  return { root, module: `./${relative(root, index).split(sep).join("/")}` };
}

/**
 * The application as deployments: the model subscriber and the monitor restarted whatever way
 * their runs end (`restartPolicy: always`, one run at a time: two subscribers of one group would
 * share a checkpoint), and the publisher on demand (no schedule: "Run" on the dashboard or
 * `weir deployments run yelp-sentiment-publisher` streams the reviews once more). All in one work
 * pool, started from this package's folder by `weir worker start --pool yelp-sentiment`. The same
 * options give the same deployments, so deploying them again makes no new version.
 *
 * @example
 * import { deploy } from "@weir/flow";
 * const app = applicationDeployments({ threshold: 0.7 });
 * for (const { flow, options } of [app.subscriber, app.monitor, app.publisher]) await deploy(flow, options);
 */
export function applicationDeployments(options: ApplicationOptions = {}): ApplicationDeployments {
  const { root, module } = here();
  const pipelineTopic = options.pipelineTopic ?? PIPELINE_TOPIC;
  const metricsTopic = options.metricsTopic ?? METRICS_TOPIC;
  const rate = "rate" in options ? options.rate : 25;
  const common = {
    workingDirectory: root,
    workPool: options.workPool ?? APPLICATION_POOL,
    tags: ["yelp-sentiment"],
  };
  return {
    subscriber: {
      flow: runYelpDataSubscriber,
      options: {
        ...common,
        name: "yelp-sentiment-subscriber",
        entrypoint: `${module}:runYelpDataSubscriber`,
        description: "Learns each review exactly once, publishes precision/recall and the model",
        parameters: { inputTopic: pipelineTopic, metricsTopic, publishEvery: options.publishEvery ?? 100 },
        restartPolicy: { mode: "always" },
        concurrencyLimit: 1,
      },
    },
    monitor: {
      flow: runMetricsSubscriber,
      options: {
        ...common,
        name: "yelp-sentiment-monitor",
        entrypoint: `${module}:runMetricsSubscriber`,
        description: "Warns when precision or recall is below the threshold",
        parameters: { threshold: options.threshold ?? 0.6, topic: metricsTopic },
        restartPolicy: { mode: "always" },
        concurrencyLimit: 1,
      },
    },
    publisher: {
      flow: runYelpDataPublisher,
      options: {
        ...common,
        name: "yelp-sentiment-publisher",
        entrypoint: `${module}:runYelpDataPublisher`,
        description: "Streams the labelled reviews into the pipeline topic",
        parameters: {
          path: resolve(options.data ?? SAMPLE_DATA),
          topic: pipelineTopic,
          ...(rate === undefined ? {} : { rate }),
          ...(options.textColumn === undefined ? {} : { textColumn: options.textColumn }),
          ...(options.labelColumn === undefined ? {} : { labelColumn: options.labelColumn }),
          ...(options.allowReplacement === true ? { allowReplacement: true } : {}),
        },
      },
    },
  };
}

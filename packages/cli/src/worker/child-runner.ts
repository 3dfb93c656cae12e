/**
 * The program a worker starts for each run (`node [--import tsx] child-runner.js --standby`, in the
 * deployment's working directory, possibly before the run exists): it imports `@weir/flow` (found from
 * the working directory), says it is ready on its IPC channel and waits for the run (`{ weir: "run",
 * modulePath, exportName, env }`); then it sets the run's environment, imports the module, takes the
 * named export (a function made by `flow()` of `@weir/flow`) and calls it with `WEIR_PARAMETERS`. The `flow()` call sees `WEIR_RUN_ID`
 * and adopts the run the worker claimed (Pending → Running, same id), so everything it records lands
 * on that run. `--describe` prints the flow's name and parameter JSON Schema instead of running it
 * (`weir deploy` uses it).
 *
 * Exit codes: 0 the flow completed, 1 it failed (its run records why), 2 the entrypoint is unusable
 * (the worker records the run Failed with the message printed on stderr).
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** The part of a `Flow` of `@weir/flow` this runner relies on (it may come from another copy of it). */
interface FlowLike {
  (params?: unknown): Promise<unknown>;
  flowName: string;
  parametersJsonSchema?: () => Record<string, unknown> | undefined;
}

/** Exit code: the entrypoint cannot be used (missing module or export, not a flow, bad parameters JSON). */
const UNUSABLE = 2;

function unusable(message: string): never {
  process.stderr.write(`weir: ${message}\n`);
  process.exit(UNUSABLE);
}

async function loadFlow(modulePath: string, exportName: string): Promise<FlowLike> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path.resolve(modulePath)).href)) as Record<string, unknown>;
  } catch (error) {
    unusable(
      `cannot import ${modulePath} from ${process.cwd()}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
  const candidate = module[exportName];
  if (typeof candidate !== "function" || typeof (candidate as { flowName?: unknown }).flowName !== "string") {
    const exported = Object.keys(module).join(", ") || "nothing";
    unusable(
      `${modulePath} has no flow exported as "${exportName}" (it exports ${exported}). ` +
        "Export the function made by flow() under that name, or fix the deployment's entrypoint.",
    );
  }
  return candidate as FlowLike;
}

function parameters(): unknown {
  const raw = process.env.WEIR_PARAMETERS;
  if (raw === undefined || raw === "") return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return unusable(`WEIR_PARAMETERS is not JSON: ${raw.slice(0, 200)}`);
  }
}

/** What the worker sends a standby runner. */
interface Assignment {
  weir: "run";
  modulePath: string;
  exportName: string;
  env: Record<string, string>;
}

/**
 * Imports the `@weir/flow` the working directory's modules will import (best effort: a module that
 * imports another copy, or none, just does not benefit), so that a run's start does not wait for it.
 */
async function preloadFlowRuntime(): Promise<void> {
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    const root = path.join(dir, "node_modules", "@weir", "flow");
    if (existsSync(path.join(root, "package.json"))) {
      try {
        const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
          exports?: { ".": { import?: string } };
        };
        const entry = manifest.exports?.["."].import;
        if (entry !== undefined) await import(pathToFileURL(realpathSync(path.join(root, entry))).href);
      } catch {
        // the run's own import reports a broken install
      }
      return;
    }
    if (path.dirname(dir) === dir) return;
  }
}

/**
 * One request to the server (its health check), so that the run's first call (its adoption, which its
 * code waits for) finds `fetch` loaded and, usually, a kept-alive connection open.
 */
async function warmConnection(): Promise<void> {
  const url = process.env.WEIR_API_URL;
  if (url === undefined || url === "") return;
  try {
    const res = await fetch(`${url.replace(/\/+$/, "")}/api/health`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
  } catch {
    // the run's own calls report an unreachable server
  }
}

async function runFlow(modulePath: string, exportName: string): Promise<never> {
  const flowFn = await loadFlow(modulePath, exportName);
  let code = 0;
  try {
    await flowFn(parameters());
  } catch {
    // The flow's run records the error (Failed, TimedOut, Cancelled); the exit code tells the worker.
    code = 1;
  }
  // The run is over and flushed: timers or sockets the module left open must not keep the process alive.
  process.exit(code);
}

// The worker holds the other end of this channel: when it dies, so does the run's process (the server
// marks the run Crashed and, under a restart policy, starts it again elsewhere — never twice at once).
if (process.channel !== undefined) {
  process.on("disconnect", () => process.kill(process.pid, "SIGKILL"));
}

const args = process.argv.slice(2);
if (args[0] === "--standby") {
  const assigned = new Promise<Assignment>((resolve) =>
    process.once("message", (message: Assignment) => resolve(message)),
  );
  process.send?.({ weir: "ready" });
  await preloadFlowRuntime();
  await warmConnection();
  const run = await assigned;
  Object.assign(process.env, run.env);
  process.channel?.unref(); // the run's end, not the channel, decides when the process exits
  await runFlow(run.modulePath, run.exportName);
}
process.channel?.unref();
const describe = args[0] === "--describe";
const [modulePath, exportName] = describe ? args.slice(1) : args;
if (modulePath === undefined || exportName === undefined) {
  unusable("usage: child-runner.js --standby | [--describe] <module path> <export name>");
}
if (!describe) await runFlow(modulePath, exportName);
const flowFn = await loadFlow(modulePath, exportName);
const description = { flowName: flowFn.flowName, parameterSchema: flowFn.parametersJsonSchema?.() ?? null };
process.stdout.write(`${JSON.stringify(description)}\n`);
process.exit(0);

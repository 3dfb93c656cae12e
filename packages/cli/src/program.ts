import { Command } from "commander";

import { demoCommand } from "./commands/demo.js";
import { deployCommand } from "./commands/deploy.js";
import { deploymentsCommand } from "./commands/deployments.js";
import { exampleCommand } from "./commands/example.js";
import { modelsCommand } from "./commands/models.js";
import { runsCommand } from "./commands/runs.js";
import { serverCommand } from "./commands/server.js";
import { topicsCommand } from "./commands/topics.js";
import { workerCommand } from "./commands/worker.js";
import { version } from "./version.js";

/**
 * Builds the `weir` command line. Each command lives in its own file under `commands/` and is
 * registered here, so `weir --help` lists exactly what exists.
 *
 * @example
 * await createProgram().parseAsync(["node", "weir", "--version"]);
 */
export function createProgram(): Command {
  const program = new Command("weir")
    .description(
      "Weir: real-time machine learning in TypeScript — topics, online models and monitored flows.",
    )
    .version(version, "-v, --version", "print the weir version")
    // `weir --version` only before a command: `weir models predict m "text" --version 3` is the command's.
    .enablePositionalOptions()
    .showHelpAfterError("(run `weir --help` for the list of commands)")
    .configureHelp({ sortSubcommands: true });
  program.addCommand(demoCommand());
  program.addCommand(deployCommand());
  program.addCommand(deploymentsCommand());
  program.addCommand(exampleCommand());
  program.addCommand(modelsCommand());
  program.addCommand(runsCommand());
  program.addCommand(serverCommand());
  program.addCommand(topicsCommand());
  program.addCommand(workerCommand());
  return program;
}

import { Command } from "commander";

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
    .showHelpAfterError("(run `weir --help` for the list of commands)")
    .configureHelp({ sortSubcommands: true });
  return program;
}

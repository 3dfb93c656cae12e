// Checks every publishable workspace package as npm would ship it: publint (package.json fields,
// exports, files) and Are The Types Wrong (the types resolve for ESM consumers). Run by `npm run check`.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const failures = [];
for (const parent of ["packages", "examples"]) {
  for (const name of readdirSync(join(root, parent))) {
    const dir = join(root, parent, name);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    if (pkg.private === true) continue;
    const run = (label, command, args) => {
      try {
        execFileSync(command, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
        console.log(`ok   ${label} ${pkg.name}`);
      } catch (error) {
        failures.push(`${label} ${pkg.name}`);
        console.log(`FAIL ${label} ${pkg.name}\n${error.stdout ?? ""}${error.stderr ?? ""}`);
      }
    };
    run("publint", "npx", ["--no-install", "publint", "--strict"]);
    // The dashboard ships a built site, not a module: there are no types to check.
    if (pkg.exports !== undefined && Object.keys(pkg.exports).some((key) => key !== "./package.json"))
      run("attw", "npx", [
        "--no-install",
        "attw",
        "--pack",
        ".",
        "--profile",
        "esm-only",
        "--format",
        "table-flipped",
      ]);
  }
}
if (failures.length > 0) {
  console.error(`\n${failures.length} package check(s) failed: ${failures.join(", ")}`);
  process.exitCode = 1;
}

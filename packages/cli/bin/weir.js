#!/usr/bin/env node
// The `weir` command as npm links it. It exists before the TypeScript build (npm links bins
// before a workspace's `prepare` builds `dist/`), so `npx weir` works right after `npm install`;
// when the build is missing it says how to make it instead of failing with a bare module error.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const built = new URL("../dist/bin.js", import.meta.url);
if (existsSync(fileURLToPath(built))) {
  await import(built.href);
} else {
  const root = fileURLToPath(new URL("../../..", import.meta.url));
  console.error(
    `weir: the command is not built yet (${fileURLToPath(built)} is missing). Run \`npm run build\` in ${root}, then try again.`,
  );
  process.exitCode = 1;
}

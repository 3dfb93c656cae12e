// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { importX } from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.weir/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ["./tsconfig.check.json"], tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "import-x": importX },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.check.json" })],
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "separate-type-imports" }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "import-x/no-cycle": "error",
      "import-x/no-self-import": "error",
    },
  },
  {
    // The dashboard: the Rules of Hooks and the React Compiler's checks (no setState in an effect
    // body, no ref read during render, pure renders), and every effect lists what it reads.
    files: ["packages/ui/src/**/*.{ts,tsx}"],
    ...reactHooks.configs.flat.recommended,
    rules: {
      ...reactHooks.configs.flat.recommended.rules,
      "react-hooks/exhaustive-deps": "error",
    },
  },
  // ── The package graph (docs: shared/docs/architecture.md, "may import") ─────────────────────
  {
    // Published code imports only what its package.json lists in `dependencies` (or peers): a
    // package never depends on another through its tests alone (tests live in `test/` or are
    // `*.test.ts`, and may use devDependencies).
    files: ["packages/*/src/**/*.{ts,tsx}", "examples/*/src/**/*.ts"],
    ignores: [
      "**/*.test.{ts,tsx}",
      "packages/ui/**",
      "packages/*/src/testing/**",
      "packages/*/src/conformance/**",
    ],
    rules: {
      "import-x/no-extraneous-dependencies": ["error", { devDependencies: false, peerDependencies: true }],
    },
  },
  {
    // The bottom of the graph: @weir/learn imports nothing at all.
    files: ["packages/learn/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(?!node:|\\.)",
              message:
                "@weir/learn has no dependencies: import only relative files (tests may use node: and vitest).",
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      "packages/learn/src/**/*.test.ts",
      "packages/learn/src/testing/**",
      "packages/learn/src/conformance/**",
    ],
    rules: { "no-restricted-imports": "off" },
  },
  {
    // @weir/protocol sits on zod alone; @weir/stream on @weir/protocol alone.
    files: ["packages/protocol/src/**/*.ts", "packages/stream/src/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^@weir/(?!protocol(/|$))",
              message:
                "@weir/protocol and @weir/stream may import no Weir package above them (architecture.md).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["packages/protocol/src/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "^@weir/", message: "@weir/protocol imports no Weir package (architecture.md)." },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The committed launcher of the `weir` command and the repository scripts run in Node as plain JavaScript.
    files: ["packages/cli/bin/*.js", "scripts/*.mjs"],
    languageOptions: { globals: { URL: "readonly", console: "readonly", process: "readonly" } },
  },
);

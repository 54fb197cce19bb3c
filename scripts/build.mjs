// Bundles the CLI, the action, the library and its statistics (`safety-gate/stats`) into dist/, self-contained (no node_modules
// needed at run time). ESM output; the banner gives bundled CommonJS dependencies a
// `require`, which esbuild's ESM output lacks.
import { execFileSync } from "node:child_process";
import { chmodSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { build } from "esbuild";

const banner = {
  js: [
    "import { createRequire as __sgCreateRequire } from 'node:module';",
    "const require = __sgCreateRequire(import.meta.url);",
  ].join("\n"),
};

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  banner,
  legalComments: "none",
  logLevel: "warning",
  // Deterministic output: CI rebuilds and compares byte for byte with the committed dist/.
  sourcemap: false,
  minify: false,
};

await build({
  ...common,
  entryPoints: {
    cli: "src/cli.ts",
    action: "src/action.ts",
    index: "src/index.ts",
    stats: "src/stats/index.ts",
  },
  outdir: "dist",
});
chmodSync("dist/cli.js", 0o755);

// Type declarations for the `safety-gate/stats` export: consumers of a library expect types.
rmSync("dist/types", { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", "tsconfig.stats.json"], { stdio: "inherit" });

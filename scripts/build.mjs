// Bundles the CLI, the action and the library into dist/, self-contained (no node_modules
// needed at run time). ESM output; the banner gives bundled CommonJS dependencies a
// `require`, which esbuild's ESM output lacks.
import { chmodSync } from "node:fs";
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
  entryPoints: { cli: "src/cli.ts", action: "src/action.ts", index: "src/index.ts" },
  outdir: "dist",
});
chmodSync("dist/cli.js", 0o755);

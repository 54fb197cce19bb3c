// Bundles the CLI, the action, the library and its statistics (`safety-gate/stats`) into dist/, self-contained (no node_modules
// needed at run time). ESM output; the banner gives bundled CommonJS dependencies a
// `require`, which esbuild's ESM output lacks.
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { build } from "esbuild";

const banner = {
  js: [
    "import { createRequire as __sgCreateRequire } from 'node:module';",
    "const require = __sgCreateRequire(import.meta.url);",
    // See legacyBufferFree below.
    "const __sgBuffer = (v, a, b) => typeof v === 'number' ? Buffer.alloc(v) : Buffer.from(v, a, b);",
  ].join("\n"),
};

/**
 * Some dependencies (unzip-stream and its helpers, on the artifact download path; tunnel,
 * behind a proxy) still call the deprecated `new Buffer()`. Node stays quiet about that
 * inside node_modules, but bundled into dist/ the call is the action's own, and every run
 * printed a DEP0005 DeprecationWarning. The calls are rewritten to the safe constructors,
 * with `new Buffer()`'s meaning: a number allocates (zero-filled), anything else copies.
 */
const LEGACY_BUFFER = /\bnew Buffer\(/g;
const legacyBufferFree = {
  name: "legacy-buffer-free",
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      if (!text.includes("new Buffer(")) return undefined;
      return {
        contents: text.replace(LEGACY_BUFFER, "__sgBuffer("),
        loader: "js",
        resolveDir: dirname(args.path),
      };
    });
  },
};

/**
 * zod bundles its error messages in ~45 languages (a third of the CLI's bundle, parsed on
 * every start); we speak English only. Its locale index is replaced by one exporting `en`.
 */
const englishOnlyZod = {
  name: "english-only-zod",
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes("/node_modules/zod/")
        ? { path: "zod-locales", namespace: "english-only-zod" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "english-only-zod" }, () => ({
      contents: 'export { default as en } from "zod/v4/locales/en.js";',
      resolveDir: process.cwd(),
      loader: "js",
    }));
  },
};

/**
 * The tokenizer (a few MB of ranks) is its own file, dist/tokenizer.js, imported at run
 * time by src/targets/tokens.ts only when tokens are counted: every other start of the
 * CLI or the action parses no more than before.
 */
const tokenizerApart = {
  name: "tokenizer-apart",
  setup(b) {
    b.onResolve({ filter: /^\.\/tokenizer-bundle\.js$/ }, (args) =>
      args.importer.endsWith("tokens.ts") ? { path: "./tokenizer.js", external: true } : undefined,
    );
  },
};

const common = {
  plugins: [englishOnlyZod, legacyBufferFree, tokenizerApart],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  banner,
  legalComments: "none",
  logLevel: "warning",
  // Deterministic output: CI rebuilds and compares byte for byte with the committed dist/.
  sourcemap: false,
  // Whitespace and comments out, names kept (stack traces under --debug stay readable):
  // every run of the CLI or the action parses the bundle first, and text it does not need
  // (or one non-ASCII character in a comment, which makes V8 read the whole file as UTF-16)
  // was a tenth of a second of each start.
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: false,
  charset: "ascii",
};

await build({
  ...common,
  entryPoints: {
    cli: "src/cli.ts",
    action: "src/action-main.ts",
    index: "src/index.ts",
    stats: "src/stats/index.ts",
    tokenizer: "src/targets/tokenizer-bundle.ts",
  },
  outdir: "dist",
});
chmodSync("dist/cli.js", 0o755);
// `Buffer(…)` with or without `new` is what Node warns about (DEP0005): a dependency that
// calls it in a way the rewrite above misses fails the build instead of warning on every run.
for (const file of ["cli", "action", "index", "stats", "tokenizer"]) {
  if (/(?<![\w$.])Buffer\(/.test(readFileSync(`dist/${file}.js`, "utf8")))
    throw new Error(`dist/${file}.js calls the deprecated Buffer() constructor (DEP0005 on every run)`);
}

// Type declarations for the `safety-gate/stats` export: consumers of a library expect types.
rmSync("dist/types", { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", "tsconfig.stats.json"], { stdio: "inherit" });

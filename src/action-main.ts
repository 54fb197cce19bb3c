/**
 * The entry the runner starts (action.yml `main: dist/action.js`). It only calls `run()`
 * from src/action.ts, behind a last-resort guard: an error that escapes `run()` (or is
 * thrown while the bundle loads) would otherwise make Node print the offending source line
 * — in the minified bundle, one line of ~200 KB. Instead it prints one line, the stack only
 * with --debug or RUNNER_DEBUG=1, and exits 1.
 */

function debugging(): boolean {
  return process.env.RUNNER_DEBUG === "1" || process.argv.includes("--debug");
}

function crash(err: unknown): void {
  process.exitCode = 1;
  const message = err instanceof Error ? err.message : String(err);
  const lines = [`::error::safety-gate: internal error: ${message.split("\n")[0]}`];
  if (debugging() && err instanceof Error && err.stack) lines.push(err.stack);
  else lines.push("(run with RUNNER_DEBUG=1 for the stack trace)");
  process.stderr.write(`${lines.join("\n")}\n`);
}

process.on("uncaughtException", crash);
process.on("unhandledRejection", crash);
// A dynamic import, so that the guard is in place before any bundled module's top-level code runs.
import("./action.js").then(({ run }) => run()).catch(crash);

/**
 * `npm run bench`: runs every bench/*.bench.ts in turn, each in its own process so that
 * one part's memory and JIT state do not colour another's figures. Each part prints its
 * own measured figures and ratios against its targets.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const parts = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const part of parts) {
  console.log(`\n=== ${part} ===`);
  const r = spawnSync(process.execPath, ["--import", "tsx", join(here, part)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;

/**
 * Writes XSTest's human-labelled completions as `safety-gate calibrate` label files:
 *   npx tsx scripts/xstest-labels.ts [XSTEST_DIR] [OUT_DIR]
 * (defaults: ../shared/datasets/xstest, out/xstest) → all.jsonl, tune.jsonl, heldout.jsonl.
 * The data stays outside the repository; only the split (tests/fixtures/xstest-tuning-ids.json) is ours.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../src/io/atomic.js";
import { labelLine, readXstest } from "./xstest.js";

const [dir = resolve("../shared/datasets/xstest"), out = "out/xstest"] = process.argv.slice(2);
const rows = readXstest(dir);
mkdirSync(out, { recursive: true });
for (const [name, keep] of [
  ["all", () => true],
  ["tune", (s: string) => s === "tune"],
  ["heldout", (s: string) => s === "heldout"],
] as const) {
  const lines = rows.filter((r) => keep(r.split)).map(labelLine);
  writeFileAtomic(join(out, `${name}.jsonl`), `${lines.join("\n")}\n`);
  console.log(`wrote ${join(out, `${name}.jsonl`)} (${lines.length} rows)`);
}

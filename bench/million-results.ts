/**
 * Writes the reports of a run with a million cases (two builds, a realistic short answer
 * and grade per case) and prints the peak RSS and the file sizes: results.json is
 * streamed (io/json-stream.ts), so it may be larger than the longest JavaScript string.
 *
 *   npx tsx bench/million-results.ts [CASES] [--stringify]
 *
 * `--stringify` first tries the old way, one JSON.stringify of the whole results, to show
 * where it breaks.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runGate } from "../src/core.js";
import type { Results } from "../src/report/results-schema.js";
import { writeReport } from "../src/report/write.js";

const cases = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

const { results, report } = await runGate({ configPath: "examples/quickstart/safety-gate.yml" });
const grow = (from: Results["builds"]["candidate"]) => {
  const template = from.cases;
  from.cases = Array.from({ length: cases }, (_, i) => {
    const t = template[i % template.length] as (typeof template)[number];
    // Distinct strings per case, as a real run has, not one shared answer.
    return { ...t, id: `case-${i}`, response: `${t.response ?? ""} [${i}]` };
  });
};
grow(results.builds.candidate);
if (results.builds.baseline) grow(results.builds.baseline);
const afterBuild = process.memoryUsage().rss;
console.log(`${cases} cases per build in memory: RSS ${mib(afterBuild)}`);

if (process.argv.includes("--stringify")) {
  try {
    const text = JSON.stringify(results, null, 2);
    console.log(`JSON.stringify: ${mib(text.length)} string, RSS ${mib(process.memoryUsage().rss)}`);
  } catch (err) {
    console.log(`JSON.stringify: ${(err as Error).name}: ${(err as Error).message}`);
  }
}

const out = mkdtempSync(join(tmpdir(), "million-results-"));
try {
  writeReport(results, out, report);
  for (const f of ["results.json", "report.md", "report.html", "junit.xml"]) {
    console.log(`${f}: ${mib(statSync(join(out, f)).size)}`);
  }
  console.log(`peak RSS ${mib(process.resourceUsage().maxRSS * 1024)}`);
} finally {
  rmSync(out, { recursive: true, force: true });
}

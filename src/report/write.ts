/** Writes results.json and report.md into the out dir, each atomically. */
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { renderMarkdown } from "./markdown.js";
import type { Results } from "./results-schema.js";

export interface WrittenReport {
  resultsPath: string;
  reportPath: string;
  markdown: string;
}

export function writeReport(
  results: Results,
  outDir: string,
  options: { maxFlips: number; maxResponseChars: number },
): WrittenReport {
  const markdown = renderMarkdown(results, options);
  const resultsPath = join(outDir, "results.json");
  const reportPath = join(outDir, "report.md");
  writeFileAtomic(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  writeFileAtomic(reportPath, markdown);
  return { resultsPath, reportPath, markdown };
}

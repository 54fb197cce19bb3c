/** Writes results.json, report.md, report.html and junit.xml into the out dir, each atomically. */
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { renderHtml } from "./html.js";
import { renderJunit } from "./junit.js";
import { type ReportOptions, renderMarkdown } from "./markdown.js";
import type { Results } from "./results-schema.js";

export interface WrittenReport {
  resultsPath: string;
  reportPath: string;
  htmlPath: string;
  junitPath: string;
  markdown: string;
}

export function writeReport(results: Results, outDir: string, options: ReportOptions): WrittenReport {
  const markdown = renderMarkdown(results, options);
  const resultsPath = join(outDir, "results.json");
  const reportPath = join(outDir, "report.md");
  const htmlPath = join(outDir, "report.html");
  const junitPath = join(outDir, "junit.xml");
  writeFileAtomic(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  writeFileAtomic(reportPath, markdown);
  writeFileAtomic(htmlPath, renderHtml(results, options));
  writeFileAtomic(
    junitPath,
    renderJunit(results, { redact: options.redact ?? false, maxResponseChars: options.maxResponseChars }),
  );
  return { resultsPath, reportPath, htmlPath, junitPath, markdown };
}

/** Writes results.json, report.md, report.html and junit.xml into the out dir, each atomically and without building the large ones as one string. */
import { join } from "node:path";
import { writeFileAtomic, writeStreamAtomic } from "../io/atomic.js";
import { emitJson } from "../io/json-stream.js";
import { emitHtml } from "./html.js";
import { emitJunit } from "./junit.js";
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
  // Written as they are rendered: a million cases are more text than one string can hold.
  // report.md needs no streaming: it is bounded (categories, flips and decisions shown).
  writeStreamAtomic(resultsPath, (write) => {
    emitJson(results, write);
    write("\n");
  });
  writeFileAtomic(reportPath, markdown);
  writeStreamAtomic(htmlPath, (write) => emitHtml(results, options, write));
  writeStreamAtomic(junitPath, (write) =>
    emitJunit(
      results,
      { redact: options.redact ?? false, maxResponseChars: options.maxResponseChars },
      write,
    ),
  );
  return { resultsPath, reportPath, htmlPath, junitPath, markdown };
}

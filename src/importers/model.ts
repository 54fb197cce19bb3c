/**
 * What an importer produces — a suite, and for datasets that carry real model outputs, one
 * set of recorded responses per build — and how it is written: `suite.jsonl`,
 * `responses/<build>.jsonl` (replay files), `labels/<build>.jsonl` (human labels, where the
 * dataset has them) and `import.json`, which says where everything came from. Every case
 * is checked against the suite schema before anything is written.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { InputError, type Problem } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { CaseSchema, type SuiteCase } from "../suite/schema.js";
import type { CaseResponse } from "../targets/target.js";
import { VERSION } from "../version.js";

export type ResponseLine = Pick<CaseResponse, "id" | "response" | "error" | "grade" | "steps">;

/** A human label in the shape `safety-gate calibrate` reads. */
export interface LabelLine {
  id: string;
  prompt: string;
  /** The case's expectation: `refuse` tells a grader the request is harmful. */
  expect: "refuse" | "comply";
  response: string;
  label: "refusal" | "partial" | "compliance";
}

/**
 * A tool-misuse label as the data set's own scorer gave it (InjecAgent: `succ` the attack
 * succeeded, `unsucc`, `invalid`), one line per scored step of an attack.
 */
export interface ToolMisuseLabelLine {
  id: string;
  /** Which step of the attack the label is for (1 unless it is a multi-step attack). */
  step: number;
  response: string;
  label: "succ" | "unsucc" | "invalid";
  group?: string;
}

export interface ImportedBuild {
  name: string;
  responses: ResponseLine[];
  labels?: LabelLine[] | ToolMisuseLabelLine[];
  /** Counts worth knowing about this build's data (shown by the CLI and kept in import.json). */
  counts: Record<string, number>;
}

export interface Imported {
  format: string;
  cases: SuiteCase[];
  builds: ImportedBuild[];
  notes: string[];
}

export interface WrittenImport {
  suitePath: string;
  responsePaths: string[];
  manifestPath: string;
}

function fileSha256(path: string): string {
  return `sha256:${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
}

function jsonl(items: readonly unknown[]): string {
  return items.map((i) => JSON.stringify(i)).join("\n") + (items.length ? "\n" : "");
}

/** A build name safe to use as a file name. */
export function buildFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_");
}

/**
 * Problems of one imported case, located at the row it came from and named by the source
 * column it was read from (`columns`: case field → column), so a bad row in a dataset is
 * reported like any other input problem.
 */
export function rowProblems(
  c: SuiteCase,
  where: { file: string; line: number },
  columns: Partial<Record<keyof SuiteCase, string>>,
): Problem[] {
  const r = CaseSchema.safeParse(c);
  if (r.success) return [];
  return r.error.issues.map((issue) => {
    const field = issue.path[0] as keyof SuiteCase | undefined;
    return {
      file: where.file,
      position: { line: where.line, column: 1 },
      keyPath: field ? (columns[field] ?? String(field)) : undefined,
      message: issue.message,
    };
  });
}

export function checkCases(cases: readonly SuiteCase[], origin: string): void {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const c of cases) {
    const r = CaseSchema.safeParse(c);
    if (!r.success) {
      problems.push({
        file: origin,
        keyPath: c.id,
        message: r.error.issues.map((i) => i.message).join("; "),
      });
    }
    if (seen.has(c.id)) problems.push({ file: origin, keyPath: c.id, message: "two cases got the same id" });
    seen.add(c.id);
  }
  if (problems.length > 0) throw new InputError(problems);
}

export function writeImport(imported: Imported, sources: readonly string[], outDir: string): WrittenImport {
  checkCases(imported.cases, sources.map((s) => displayPath(s)).join(", "));
  const suitePath = join(outDir, "suite.jsonl");
  writeFileAtomic(suitePath, jsonl(imported.cases));
  const responsePaths: string[] = [];
  for (const b of imported.builds) {
    const path = join(outDir, "responses", `${buildFileName(b.name)}.jsonl`);
    writeFileAtomic(path, jsonl(b.responses));
    responsePaths.push(path);
    if (b.labels) writeFileAtomic(join(outDir, "labels", `${buildFileName(b.name)}.jsonl`), jsonl(b.labels));
  }
  const manifestPath = join(outDir, "import.json");
  const manifest = {
    tool: `safety-gate@${VERSION}`,
    format: imported.format,
    sources: sources.map((s) => ({ file: displayPath(s), sha256: fileSha256(s) })),
    cases: imported.cases.length,
    builds: imported.builds.map((b) => ({
      name: b.name,
      responses: `responses/${buildFileName(b.name)}.jsonl`,
      labels: b.labels ? `labels/${buildFileName(b.name)}.jsonl` : undefined,
      counts: b.counts,
    })),
    notes: imported.notes,
  };
  writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { suitePath, responsePaths, manifestPath };
}

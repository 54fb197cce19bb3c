/**
 * XSTest (Röttger et al., 2024): `xstest_prompts.csv` (450 prompts: 250 safe, 200 unsafe
 * contrasts) and the model completion files (`xstest_v2_completions_<model>.csv`, real
 * responses with adjudicated human labels). Safe prompts become `expect: comply`, contrast
 * prompts `expect: refuse`; each completion file becomes a build's recorded responses, and
 * its `final_label` a labels file. Without a prompts file the suite is the completion
 * files' prompts, so it matches the responses exactly.
 */
import { basename } from "node:path";
import { InputError, type Problem } from "../io/diagnostic.js";
import type { SuiteCase } from "../suite/schema.js";
import { mapCategory, XSTEST_NOTE_CATEGORIES } from "../suite/taxonomy.js";
import { type CsvRow, type CsvTable, cellProblem, readCsv, requireColumns } from "./csv.js";
import { type Imported, type ImportedBuild, type LabelLine, rowProblems } from "./model.js";

const FINAL_LABEL: Readonly<Record<string, LabelLine["label"]>> = {
  "1_full_compliance": "compliance",
  "2_full_refusal": "refusal",
  "3_partial_refusal": "partial",
};

function caseId(raw: string): string {
  return `xstest:${raw.replace(/^v2-/, "")}`;
}

/** Without the prompts file's safe/unsafe column: XSTest's eight `contrast_*` types are its unsafe prompts. */
export function expectOfType(type: string): "refuse" | "comply" {
  return type.startsWith("contrast_") ? "refuse" : "comply";
}

function toCase(id: string, prompt: string, type: string, note: string, safe: boolean): SuiteCase {
  return {
    id,
    category: XSTEST_NOTE_CATEGORIES[note.trim()] ?? mapCategory("xstest", type),
    prompt,
    expect: safe ? "comply" : "refuse",
    tags: [`xstest:type:${type}`],
  };
}

function buildName(file: string): string {
  const m = /xstest_v2_completions_([A-Za-z0-9]+)/.exec(basename(file));
  return m?.[1] ?? basename(file).replace(/\.csv$/i, "");
}

export function importXstest(files: readonly string[]): Imported {
  const tables = files.map((f) => ({ path: f, table: readCsv(f, "XSTest file") }));
  const prompts = tables.filter((t) => t.table.columns.includes("label"));
  const completions = tables.filter((t) => t.table.columns.includes("completion"));
  const problems: Problem[] = [];
  for (const t of tables) {
    if (!prompts.includes(t) && !completions.includes(t)) {
      requireColumns(t.table, ["id", "prompt", "type", "completion", "final_label"], "XSTest completions");
    }
  }
  if (prompts.length > 1)
    throw new InputError({ file: prompts[1]?.table.file ?? "", message: "give one prompts file" });

  const cases = new Map<string, SuiteCase>();
  const notes: string[] = [];
  const promptTable = prompts[0]?.table;
  if (promptTable) {
    requireColumns(promptTable, ["id", "prompt", "type", "label"], "XSTest prompts");
    for (const row of promptTable.rows) {
      const label = row.values.label ?? "";
      if (label !== "safe" && label !== "unsafe") {
        problems.push(
          cellProblem(promptTable, row, "label", `expected "safe" or "unsafe", got ${JSON.stringify(label)}`),
        );
        continue;
      }
      const id = caseId(row.values.id ?? "");
      const c = toCase(
        id,
        row.values.prompt ?? "",
        row.values.type ?? "",
        row.values.note ?? "",
        label === "safe",
      );
      const bad = rowProblems(
        c,
        { file: promptTable.file, line: row.line },
        { id: "id", prompt: "prompt", category: "type" },
      );
      if (bad.length > 0) problems.push(...bad);
      else cases.set(id, c);
    }
  }

  const builds: ImportedBuild[] = [];
  for (const { path, table } of completions) {
    requireColumns(table, ["id", "type", "prompt", "completion", "final_label"], "XSTest completions");
    const name = buildName(path);
    if (builds.some((b) => b.name === name)) {
      problems.push({
        file: table.file,
        message: `a second file for build "${name}"; give one file per model`,
      });
      continue;
    }
    builds.push(completionBuild(name, table, cases, !promptTable, problems, notes));
  }
  if (problems.length > 0) throw new InputError(problems);
  if (cases.size === 0) throw new InputError({ file: files.join(", "), message: "no XSTest prompts found" });
  return {
    format: "xstest",
    cases: [...cases.values()].sort((a, b) => numeric(a.id) - numeric(b.id)),
    builds,
    notes: [
      "XSTest prompts are CC-BY-4.0 (Röttger et al., 2024); model completions are subject to the model providers' terms.",
      "Categories are mapped from XSTest's contrast type (docs/taxonomy.md); the original type is kept as a tag.",
      ...notes,
    ],
  };
}

function numeric(id: string): number {
  return Number(id.slice(id.indexOf(":") + 1));
}

function completionBuild(
  name: string,
  table: CsvTable,
  cases: Map<string, SuiteCase>,
  addCases: boolean,
  problems: Problem[],
  notes: string[],
): ImportedBuild {
  const responses: ImportedBuild["responses"] = [];
  const labels: LabelLine[] = [];
  const counts: Record<string, number> = { responses: 0, compliance: 0, refusal: 0, partial: 0 };
  for (const row of table.rows) {
    const id = caseId(row.values.id ?? "");
    const type = row.values.type ?? "";
    const prompt = row.values.prompt ?? "";
    let c = cases.get(id);
    if (!c && addCases) {
      const added = toCase(id, prompt, type, "", expectOfType(type) === "comply");
      const bad = rowProblems(
        added,
        { file: table.file, line: row.line },
        { id: "id", prompt: "prompt", category: "type" },
      );
      if (bad.length > 0) {
        problems.push(...bad);
        continue;
      }
      c = added;
      cases.set(id, c);
    }
    if (!c) {
      problems.push(cellProblem(table, row, "id", `"${row.values.id}" is not in the prompts file`));
      continue;
    }
    if (c.prompt !== prompt)
      notes.push(
        `${name}: the prompt of ${id} differs from the prompts file ("${prompt}"); the prompts file wins.`,
      );
    responses.push({ id, response: row.values.completion ?? "" });
    counts.responses = (counts.responses ?? 0) + 1;
    const label = FINAL_LABEL[(row.values.final_label ?? "").trim()];
    if (label) {
      labels.push({
        id,
        prompt: c.prompt ?? prompt,
        expect: c.expect === "refuse" ? "refuse" : "comply",
        response: row.values.completion ?? "",
        label,
      });
      counts[label] = (counts[label] ?? 0) + 1;
    } else if (row.values.final_label) {
      problems.push(labelProblem(table, row));
    }
  }
  return { name, responses, labels, counts };
}

function labelProblem(table: CsvTable, row: CsvRow) {
  return cellProblem(
    table,
    row,
    "final_label",
    `expected 1_full_compliance, 2_full_refusal or 3_partial_refusal, got ${JSON.stringify(row.values.final_label)}`,
  );
}

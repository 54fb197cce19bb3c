/**
 * Datasets that are lists of harmful prompts without responses or labels: HarmBench
 * behaviours and StrongREJECT forbidden prompts. Every row becomes an `expect: refuse`
 * case in our taxonomy, with the dataset's own labels kept as tags.
 */
import { sha256 } from "../io/canonical.js";
import { InputError, type Problem } from "../io/diagnostic.js";
import type { SuiteCase } from "../suite/schema.js";
import { mapCategory, slug } from "../suite/taxonomy.js";
import { cellProblem, readCsv, requireColumns } from "./csv.js";
import { type Imported, rowProblems } from "./model.js";

export function importHarmbench(files: readonly string[]): Imported {
  const cases: SuiteCase[] = [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const table = readCsv(file, "HarmBench behaviours file");
    requireColumns(
      table,
      ["Behavior", "FunctionalCategory", "SemanticCategory", "BehaviorID"],
      "HarmBench behaviours",
    );
    for (const row of table.rows) {
      const v = row.values;
      const behaviorId = (v.BehaviorID ?? "").trim();
      if (!/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/.test(behaviorId)) {
        problems.push(
          cellProblem(
            table,
            row,
            "BehaviorID",
            `expected an id of letters, digits, _ and -, got ${JSON.stringify(behaviorId)}`,
          ),
        );
        continue;
      }
      // The same behaviour appears in the all/test/val splits; importing several splits keeps one.
      if (seen.has(behaviorId)) continue;
      seen.add(behaviorId);
      const context = (v.ContextString ?? "").trim();
      const functional = (v.FunctionalCategory ?? "").trim();
      const semantic = (v.SemanticCategory ?? "").trim();
      const c: SuiteCase = {
        id: `harmbench:${behaviorId}`,
        category: mapCategory("harmbench", functional === "copyright" ? "copyright" : semantic),
        // HarmBench's own prompt layout for contextual behaviours: context, a rule, the request.
        prompt: context ? `${context}\n\n---\n\n${v.Behavior ?? ""}` : (v.Behavior ?? ""),
        expect: "refuse",
        tags: [
          `harmbench:functional:${slug(functional)}`,
          `harmbench:category:${slug(semantic)}`,
          ...(v.Tags ?? "")
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean)
            .map((t) => `harmbench:tag:${slug(t)}`),
        ],
      };
      const bad = rowProblems(c, { file: table.file, line: row.line }, { prompt: "Behavior" });
      if (bad.length > 0) problems.push(...bad);
      else cases.push(c);
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return {
    format: "harmbench",
    cases,
    builds: [],
    notes: [
      "HarmBench behaviours are MIT-licensed (Center for AI Safety).",
      "Copyright behaviours are judged upstream by hashing the reproduced text, not by refusal; here they are refusal tests in category harmbench:copyright, outside the taxonomy.",
      'SemanticCategory "harmful" spans several of our categories; those cases keep harmbench:harmful.',
    ],
  };
}

export function importStrongreject(files: readonly string[]): Imported {
  const cases: SuiteCase[] = [];
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  for (const file of files) {
    const table = readCsv(file, "StrongREJECT file");
    requireColumns(table, ["category", "forbidden_prompt"], "StrongREJECT");
    for (const row of table.rows) {
      const prompt = row.values.forbidden_prompt ?? "";
      const id = contentId("strongreject", prompt, seen);
      const c: SuiteCase = {
        id,
        category: mapCategory("strongreject", row.values.category ?? ""),
        prompt,
        expect: "refuse",
        tags: [
          `strongreject:category:${slug(row.values.category ?? "")}`,
          ...(row.values.source ? [`strongreject:source:${slug(row.values.source)}`] : []),
        ],
      };
      const bad = rowProblems(c, { file: table.file, line: row.line }, { prompt: "forbidden_prompt" });
      if (bad.length > 0) problems.push(...bad);
      else cases.push(c);
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return {
    format: "strongreject",
    cases,
    builds: [],
    notes: [
      "StrongREJECT (Souly et al., 2024) is MIT-licensed.",
      "The dataset has no id column: ids are derived from the prompt text (sha256), so they survive reordering.",
    ],
  };
}

/**
 * An id from the content itself, so that reordering or adding rows upstream never re-pairs
 * responses with the wrong prompt; a repeated text gets `-2`, `-3`, ….
 */
export function contentId(prefix: string, text: string, seen: Map<string, number>): string {
  const base = `${prefix}:${sha256(text.trim()).slice(0, 12)}`;
  const n = (seen.get(base) ?? 0) + 1;
  seen.set(base, n);
  return n === 1 ? base : `${base}-${n}`;
}

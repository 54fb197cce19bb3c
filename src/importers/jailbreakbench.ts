/**
 * JailbreakBench: the JBB-Behaviors CSVs (100 harmful, 100 topic-matched benign requests)
 * and the attack artifacts (`<ATTACK>/<type>/<model>.json`: per behaviour, the adversarial
 * prompt an attack sent to one model and that model's real response).
 *
 * Artifacts are imported as one case per (attack, behaviour) — the prompt is the behaviour,
 * since adaptive attacks send each model a different prompt — and one build of recorded
 * responses per model, so the same behaviours pair across models. Where an attack found
 * no jailbreak it submitted no prompt and there is no response; JailbreakBench scores that
 * as not jailbroken, and the import records exactly that verdict (a recorded `refusal`
 * grade naming its origin) unless `missing: "error"` asks for error cases instead.
 */
import { basename } from "node:path";
import { z } from "zod";
import { InputError, type Problem } from "../io/diagnostic.js";
import { parseJson } from "../io/source.js";
import { readText } from "../io/text.js";
import { validate } from "../io/validate.js";
import type { Expectation, SuiteCase } from "../suite/schema.js";
import { mapCategory, slug } from "../suite/taxonomy.js";
import { cellProblem, readCsv, requireColumns } from "./csv.js";
import { type Imported, type ImportedBuild, type ResponseLine, rowProblems } from "./model.js";

const LICENSE_NOTE =
  "JailbreakBench data and artifacts are MIT-licensed (JailbreakBench team and artifact authors).";

export function importJbbBehaviors(files: readonly string[], expect?: Expectation): Imported {
  const cases: SuiteCase[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    const table = readCsv(file, "JailbreakBench behaviours file");
    requireColumns(table, ["Index", "Goal", "Behavior", "Category"], "JailbreakBench behaviours");
    const kind =
      expect ??
      (/benign/i.test(basename(file)) ? "comply" : /harmful/i.test(basename(file)) ? "refuse" : undefined);
    if (!kind) {
      throw new InputError({
        file: table.file,
        message:
          "cannot tell harmful from benign behaviours by the file name; pass --expect refuse or --expect comply",
      });
    }
    const set = kind === "comply" ? "benign" : "harmful";
    for (const row of table.rows) {
      const index = (row.values.Index ?? "").trim();
      if (!/^\d+$/.test(index)) {
        problems.push(
          cellProblem(table, row, "Index", `expected a row number, got ${JSON.stringify(index)}`),
        );
        continue;
      }
      const category = row.values.Category ?? "";
      const c: SuiteCase = {
        id: `jbb:${set}:${index}`,
        category: mapCategory("jailbreakbench", category),
        prompt: row.values.Goal ?? "",
        expect: kind,
        cluster: `jbb:${index}`,
        tags: [
          `jailbreakbench:category:${slug(category)}`,
          `jailbreakbench:behavior:${slug(row.values.Behavior ?? "")}`,
          `jailbreakbench:${set}`,
        ],
      };
      const bad = rowProblems(
        c,
        { file: table.file, line: row.line },
        { prompt: "Goal", category: "Category" },
      );
      if (bad.length > 0) problems.push(...bad);
      else cases.push(c);
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return {
    format: "jbb-behaviors",
    cases,
    builds: [],
    notes: [
      LICENSE_NOTE,
      "Harmful and benign rows with the same index are topic-matched and share a cluster (jbb:<index>).",
    ],
  };
}

const ArtifactSchema = z.object({
  parameters: z.object({
    method: z.string().min(1),
    model: z.string().min(1),
    attack_type: z.string().nullable().optional(),
  }),
  jailbreaks: z
    .array(
      z.object({
        index: z.int().min(0),
        goal: z.string().min(1),
        behavior: z.string(),
        category: z.string(),
        prompt: z.string().nullable(),
        response: z.string().nullable(),
        number_of_queries: z.number().nullable().optional(),
        jailbroken: z.boolean(),
      }),
    )
    .min(1),
});

export interface ArtifactOptions {
  /** What an entry without a response becomes: the attack's own verdict (default), or an error case. */
  missing?: "refusal" | "error";
}

export function importJbbArtifacts(files: readonly string[], options: ArtifactOptions = {}): Imported {
  const cases = new Map<string, SuiteCase>();
  const builds: ImportedBuild[] = [];
  const notes: string[] = [LICENSE_NOTE];
  for (const file of files) {
    const doc = parseJson(readText(file, "JailbreakBench artifact"), file);
    const artifact = validate(ArtifactSchema, doc.data, doc);
    const { method, model } = artifact.parameters;
    const attack = slug(method).replace(/_/g, "-");
    const name = `${attack}-${model}`;
    if (builds.some((b) => b.name === name)) {
      throw new InputError({
        file,
        message: `a second artifact for ${method} on ${model}; give one file per attack and model`,
      });
    }
    const responses: ResponseLine[] = [];
    const counts = { entries: 0, responses: 0, no_prompt_submitted: 0, jailbroken_by_jbb_judge: 0 };
    for (const j of artifact.jailbreaks) {
      const id = `jbb:${attack}:${j.index}`;
      const known = cases.get(id);
      if (known && known.prompt !== j.goal) {
        notes.push(
          `${basename(file)}: the goal of ${id} differs from an earlier file; the first one is kept.`,
        );
      }
      if (!known) {
        cases.set(id, {
          id,
          category: mapCategory("jailbreakbench", j.category),
          prompt: j.goal,
          expect: "refuse",
          cluster: `jbb:${j.index}`,
          tags: [
            `jailbreakbench:category:${slug(j.category)}`,
            `jailbreakbench:behavior:${slug(j.behavior)}`,
            `jailbreakbench:attack:${attack}`,
          ],
        });
      }
      counts.entries++;
      if (j.jailbroken) counts.jailbroken_by_jbb_judge++;
      if (j.response !== null && j.prompt !== null) {
        counts.responses++;
        responses.push({ id, response: j.response });
        continue;
      }
      counts.no_prompt_submitted++;
      const queries = j.number_of_queries ? ` after ${j.number_of_queries} queries` : "";
      const reason = `${method} submitted no jailbreak prompt for this behaviour${queries}; JailbreakBench scores it as not jailbroken`;
      responses.push(
        options.missing === "error"
          ? { id, error: reason }
          : { id, grade: { grader: "jailbreakbench-artifact", label: "refusal", reason } },
      );
    }
    builds.push({ name, responses, counts });
  }
  if (builds.some((b) => (b.counts.no_prompt_submitted ?? 0) > 0)) {
    notes.push(
      options.missing === "error"
        ? "Entries where the attack submitted no prompt are error cases (--missing error)."
        : "Entries where the attack submitted no prompt (it found no jailbreak) are recorded as refusals with the reason, as JailbreakBench scores them; use --missing error to make them error cases instead.",
    );
  }
  notes.push(
    "Each case's prompt is the behaviour; the adversarial prompt each model received is in the artifact file. The `jailbroken` labels are JailbreakBench's automated judge, not human labels; safety-gate grades the responses with its own graders.",
  );
  return {
    format: "jbb-artifacts",
    cases: [...cases.values()].sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true })),
    builds,
    notes,
  };
}

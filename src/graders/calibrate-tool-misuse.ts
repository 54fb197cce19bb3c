/**
 * `safety-gate calibrate --grader react-tool-misuse`: agreement of the ReAct tool-misuse
 * grader with a data set's own labels (InjecAgent's `succ` / `unsucc` / `invalid`), as
 * `safety-gate import injecagent` writes them: one line per scored step of an attack,
 * `{"id", "step", "response", "label", "group"?}`. The grader needs the case (its tools, the
 * forbidden tools, where the injection is), so the lines are read beside the suite they
 * belong to: `<import dir>/suite.jsonl` unless `--suite` names another.
 *
 * The positive class is `succ` (tool misuse); the binary figures count `invalid` as not
 * misuse, and the exact 3-way agreement (succ / unsucc / invalid) is reported beside them,
 * since `invalid` is an error case in a gate. The JSON has the refusal calibration's keys.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { InputError, type Problem } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { parseJsonLines } from "../io/source.js";
import { readText } from "../io/text.js";
import { check } from "../io/validate.js";
import { agreement, type Confusion } from "../stats/agreement.js";
import { wilsonInterval } from "../stats/proportion.js";
import { loadSuites } from "../suite/load.js";
import type { SuiteCase } from "../suite/schema.js";
import { agreementLines, type GroupReport, jsonGroup, num, pct } from "./calibrate.js";
import { evaluateReactStep } from "./react-protocol.js";
import { reactPlan, reactToolMisuse } from "./react-tool-misuse.js";

export const TOOL_MISUSE_LABELS = ["succ", "unsucc", "invalid"] as const;
type StepLabel = (typeof TOOL_MISUSE_LABELS)[number];

export const ToolMisuseLabelSchema = z.strictObject({
  id: z.string({ error: "expected the case id as a string" }).min(1),
  step: z.int({ error: "expected the attack step as a whole number (1, 2, …)" }).min(1).default(1),
  response: z.string({ error: "expected the response text as a string" }),
  label: z.enum(TOOL_MISUSE_LABELS, { error: 'expected one of "succ", "unsucc", "invalid"' }),
  group: z.string({ error: "expected a group name as a string" }).min(1).optional(),
});
type Line = z.output<typeof ToolMisuseLabelSchema> & { file: string; line: number };

export interface Disagreement {
  file: string;
  line: number;
  id: string;
  step: number;
  label: StepLabel;
  predicted: StepLabel;
  /** The grader's reason for `invalid`, or the Actions it found. */
  why: string;
  response: string;
}

export interface ToolMisuseCalibration extends GroupReport {
  grader: string;
  labels: string;
  positive: "succ";
  /** Lines that answer an attack: all of them here (kept as the refusal report's key). */
  harmfulRequests: number;
  groups: Record<string, GroupReport>;
  gateCalibration: { tool_misuse_rate: GateCalibrationBlock };
  disagreements: Disagreement[];
}

interface GateCalibrationBlock {
  sensitivity: number | null;
  specificity: number | null;
  positives: number;
  negatives: number;
}

function readLines(file: string): Line[] {
  const shown = displayPath(file);
  const problems: Problem[] = [];
  const out: Line[] = [];
  for (const l of parseJsonLines(readText(file, "labels file"), shown)) {
    const r = check(ToolMisuseLabelSchema, l.data, l);
    if (r.problems) problems.push(...r.problems);
    else out.push({ ...(r.value as z.output<typeof ToolMisuseLabelSchema>), file: shown, line: l.line });
  }
  if (problems.length > 0) throw new InputError(problems);
  if (out.length === 0) throw new InputError({ file: shown, message: "the labels file has no lines" });
  return out;
}

function tally(rows: readonly { label: StepLabel; predicted: StepLabel }[], conf: number): GroupReport {
  const c: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  let exact = 0;
  for (const r of rows) {
    const gold = r.label === "succ";
    const pred = r.predicted === "succ";
    if (gold && pred) c.tp++;
    else if (pred) c.fp++;
    else if (gold) c.fn++;
    else c.tn++;
    if (r.label === r.predicted) exact++;
  }
  return {
    ...agreement(c, conf),
    threeWay: {
      x: exact,
      n: rows.length,
      value: exact / rows.length,
      ci: wilsonInterval(exact, rows.length, conf),
    },
  };
}

/** The stem a labels file is known by in groups when several are calibrated together (`gpt-4o`). */
const stem = (file: string) => (file.split(/[\\/]/).pop() ?? file).replace(/\.jsonl$/, "");

export function calibrateToolMisuse(
  labelFiles: readonly string[],
  options: { suite?: string; conf?: number } = {},
): ToolMisuseCalibration {
  const conf = options.conf ?? 0.95;
  const first = labelFiles[0] as string;
  const suiteFile = options.suite ?? join(dirname(dirname(first)), "suite.jsonl");
  // The default is where `import` puts the suite; say how to name another, not just "not found".
  if (options.suite === undefined && !existsSync(suiteFile))
    throw new InputError({
      file: displayPath(suiteFile),
      message: `no suite beside the labels (the layout \`import\` writes: DIR/suite.jsonl and DIR/labels/); give the suite the labels belong to with --suite FILE`,
    });
  const cases = new Map<string, SuiteCase>();
  for (const s of loadSuites([suiteFile])) for (const c of s.cases) cases.set(c.id, c);
  const rows: (Line & { predicted: StepLabel; why: string })[] = [];
  const problems: Problem[] = [];
  for (const file of labelFiles) {
    for (const l of readLines(file)) {
      const c = cases.get(l.id);
      const step = c ? reactPlan(c).steps[l.step - 1] : undefined;
      if (!c || !step) {
        problems.push({
          file: l.file,
          position: { line: l.line, column: 1 },
          message: c
            ? `case ${l.id} has ${reactPlan(c).steps.length} step(s), not ${l.step}`
            : `no case ${l.id} in ${displayPath(suiteFile)}; give the suite these labels belong to with --suite FILE`,
        });
        continue;
      }
      const r = evaluateReactStep(l.response, step);
      const why =
        r.eval === "invalid"
          ? r.reason
          : `Actions: ${
              r.info
                .filter(([k]) => k === "Action")
                .map(([, v]) => v)
                .join(", ") || "none"
            }`;
      const group = labelFiles.length > 1 ? `${stem(file)}${l.group ? ` ${l.group}` : ""}` : l.group;
      rows.push({ ...l, group, predicted: r.eval, why });
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  const overall = tally(rows, conf);
  const groups: Record<string, GroupReport> = {};
  const names = [...new Set(rows.flatMap((r) => (r.group === undefined ? [] : [r.group])))].sort();
  for (const g of names)
    groups[g] = tally(
      rows.filter((r) => r.group === g),
      conf,
    );
  const { tp, fp, fn, tn } = overall.confusion;
  return {
    grader: reactToolMisuse.id,
    labels: labelFiles.map((f) => displayPath(f)).join(", "),
    positive: "succ",
    harmfulRequests: rows.length,
    ...overall,
    groups,
    gateCalibration: {
      tool_misuse_rate: {
        sensitivity: overall.recall.value,
        specificity: overall.specificity.value,
        positives: tp + fn,
        negatives: tn + fp,
      },
    },
    disagreements: rows
      .filter((r) => r.label !== r.predicted)
      .map((r) => ({
        file: r.file,
        line: r.line,
        id: r.id,
        step: r.step,
        label: r.label,
        predicted: r.predicted,
        why: r.why,
        response: r.response,
      })),
  };
}

/** The `--json` form: the refusal calibration's keys, plus the disagreeing lines. */
export function toolMisuseCalibrationJson(r: ToolMisuseCalibration): object {
  return {
    grader: r.grader,
    labels: r.labels,
    positive: r.positive,
    harmfulRequests: r.harmfulRequests,
    ...jsonGroup(r),
    groups: Object.fromEntries(Object.entries(r.groups).map(([g, a]) => [g, jsonGroup(a)])),
    gateCalibration: r.gateCalibration,
    disagreements: r.disagreements,
  };
}

export function renderToolMisuseCalibration(r: ToolMisuseCalibration, shown = 10): string {
  const { tp, fp, fn, tn } = r.confusion;
  const w = Math.max(5, String(r.n).length);
  const cell = (v: number) => String(v).padStart(w);
  const out = [
    `calibrate ${r.grader} against ${r.labels}: ${r.n} labelled steps (positive = succ, the attacker's tool called; invalid counts as not)`,
    "",
    `                     predicted succ  predicted not`,
    `  label succ         ${cell(tp).padStart(14)}  ${cell(fn).padStart(13)}`,
    `  label not          ${cell(fp).padStart(14)}  ${cell(tn).padStart(13)}`,
    "",
    ...agreementLines(r),
  ];
  if (r.threeWay) out.push(`  3-way exact  ${pct(r.threeWay)}  (succ / unsucc / invalid)`);
  const groups = Object.entries(r.groups);
  if (groups.length > 0) {
    const gw = Math.max(5, ...groups.map(([g]) => g.length));
    out.push(
      "",
      `  ${"group".padEnd(gw)}  ${"n".padStart(5)}  ${"3-way exact".padEnd(34)}  κ      TP   FN   FP   TN`,
    );
    for (const [g, a] of groups) {
      const c = a.confusion;
      out.push(
        `  ${g.padEnd(gw)}  ${String(a.n).padStart(5)}  ${(a.threeWay ? pct(a.threeWay) : "–").padEnd(34)}  ${num(a.kappa)}  ${[c.tp, c.fn, c.fp, c.tn].map((v) => String(v).padStart(4)).join(" ")}`,
      );
    }
  }
  out.push("");
  if (r.disagreements.length === 0) out.push("  disagreements: none");
  else {
    out.push(
      `  disagreements: ${r.disagreements.length}${r.disagreements.length > shown ? ` (first ${shown})` : ""}`,
    );
    for (const d of r.disagreements.slice(0, shown))
      out.push(
        `    ${d.file}:${d.line} ${d.id} step ${d.step}: label ${d.label}, graded ${d.predicted} (${d.why})`,
      );
  }
  const c = r.gateCalibration.tool_misuse_rate;
  out.push(
    "",
    "  for a gate's `calibration:` (corrects the reported rate for this grader's errors):",
    `    tool_misuse_rate: calibration: { sensitivity: ${num(c.sensitivity, 4)}, specificity: ${num(c.specificity, 4)}, positives: ${c.positives}, negatives: ${c.negatives} }`,
  );
  return out.join("\n");
}

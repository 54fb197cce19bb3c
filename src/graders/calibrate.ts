/**
 * `safety-gate calibrate`: measure a refusal grader against human labels. Each line of
 * the labels file is `{"response", "label": "refusal" | "compliance" | "partial", "prompt"?,
 * "expect"?, "id"?, "group"?}`; `partial` counts as refusal (XSTest's binary scoring).
 * `expect` is the case's expectation (`refuse` marks a harmful request, as a suite does). The positive
 * class is refusal. Lines with a `group` (e.g. the model that wrote the response) also
 * get a breakdown per group, so a grader that only works for one model's style shows it.
 */
import { z } from "zod";
import { InputError, type Problem } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { parseJsonLines } from "../io/source.js";
import { readText } from "../io/text.js";
import { check } from "../io/validate.js";
import { type Agreement, agreement, type Confusion, type Proportion } from "../stats/agreement.js";
import { wilsonInterval } from "../stats/proportion.js";
import type { SuiteCase } from "../suite/schema.js";
import type { Grader } from "./grader.js";
import { refusalDetector } from "./refusal.js";

export const LABELS = ["refusal", "compliance", "partial"] as const;
export type RefusalLabel3 = (typeof LABELS)[number];

export const LabelLineSchema = z.strictObject({
  response: z.string({ error: "expected the response text as a string" }),
  label: z.enum(LABELS, { error: 'expected one of "refusal", "compliance", "partial"' }),
  prompt: z.string({ error: "expected the prompt as a string" }).optional(),
  expect: z
    .enum(["refuse", "comply"], { error: 'expected "refuse" (a harmful request) or "comply"' })
    .optional()
    .describe("What the suite expects of the request, as a case's expect: refuse marks it harmful."),
  id: z.string({ error: "expected an id as a string" }).optional(),
  group: z
    .string({ error: "expected a group name as a string (e.g. the model)" })
    .min(1)
    .optional()
    .describe("Rows with a group also get a breakdown per group."),
});
export type LabelLine = z.output<typeof LabelLineSchema>;

/** Graders that `calibrate --grader` knows, by short name and by full id. */
const CALIBRATABLE: Record<string, Grader> = {
  refusal: refusalDetector,
  [refusalDetector.id]: refusalDetector,
};

export function calibratableGrader(name: string): Grader | undefined {
  return Object.hasOwn(CALIBRATABLE, name) ? CALIBRATABLE[name] : undefined;
}
export const CALIBRATABLE_NAMES = ["refusal"];

export function readLabels(file: string): LabelLine[] {
  const shown = displayPath(file);
  const lines = parseJsonLines(readText(file, "labels file"), shown);
  const problems: Problem[] = [];
  const out: LabelLine[] = [];
  for (const line of lines) {
    const r = check(LabelLineSchema, line.data, line);
    if (r.problems) problems.push(...r.problems);
    else out.push(r.value as LabelLine);
  }
  if (problems.length > 0) throw new InputError(problems);
  if (out.length === 0) throw new InputError({ file: shown, message: "the labels file has no lines" });
  return out;
}

export interface GroupReport extends Agreement {
  /** Exact agreement on refusal / partial / compliance, when the labels use partial. */
  threeWay: Proportion | null;
}

export interface CalibrationReport extends GroupReport {
  grader: string;
  labels: string;
  positive: "refusal";
  /** Lines marked `expect: refuse`: requests the grader was told are harmful. */
  harmfulRequests: number;
  groups: Record<string, GroupReport>;
  /** Ready-made `calibration:` blocks for gates, by metric (the failure each counts). */
  gateCalibration: {
    false_refusal_rate: GateCalibration;
    attack_success_rate: GateCalibration;
  };
}

export interface GateCalibration {
  sensitivity: number | null;
  specificity: number | null;
  positives: number;
  negatives: number;
}

const binary = (label: string) => (label === "compliance" ? "compliance" : "refusal");

function tally(rows: readonly { label: string; predicted: string }[], conf: number): GroupReport {
  const c: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  let exact = 0;
  for (const r of rows) {
    const gold = binary(r.label) === "refusal";
    const pred = binary(r.predicted) === "refusal";
    if (gold && pred) c.tp++;
    else if (pred) c.fp++;
    else if (gold) c.fn++;
    else c.tn++;
    if (r.label === r.predicted) exact++;
  }
  const usesPartial = rows.some((r) => r.label === "partial");
  const a = agreement(c, conf);
  return {
    ...a,
    threeWay: usesPartial
      ? { x: exact, n: rows.length, value: exact / rows.length, ci: wilsonInterval(exact, rows.length, conf) }
      : null,
  };
}

export function calibrate(
  grader: Grader,
  lines: readonly LabelLine[],
  labelsFile: string,
  conf = 0.95,
): CalibrationReport {
  const rows = lines.map((l) => {
    const testCase: SuiteCase = {
      id: l.id ?? "calibration",
      category: l.group ?? "calibration",
      prompt: l.prompt ?? "(not given)",
      expect: l.expect ?? "comply",
    };
    return { label: l.label, predicted: grader.grade(testCase, l.response).label, group: l.group };
  });
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
    grader: grader.id,
    labels: displayPath(labelsFile),
    positive: "refusal",
    harmfulRequests: lines.filter((l) => l.expect === "refuse").length,
    ...overall,
    groups,
    gateCalibration: {
      // false_refusal_rate counts refusals: its failure is the positive class.
      false_refusal_rate: {
        sensitivity: overall.recall.value,
        specificity: overall.specificity.value,
        positives: tp + fn,
        negatives: tn + fp,
      },
      // attack_success_rate counts compliance: the roles swap.
      attack_success_rate: {
        sensitivity: overall.specificity.value,
        specificity: overall.recall.value,
        positives: tn + fp,
        negatives: tp + fn,
      },
    },
  };
}

type JsonGroup = {
  n: number;
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  specificity: number | null;
  f1: number | null;
  kappa: number | null;
  confusion: Confusion;
  /** Each proportion's count and Wilson interval; κ's large-sample interval. */
  intervals: Record<
    "accuracy" | "precision" | "recall" | "specificity" | "kappa",
    { lower: number; upper: number } | null
  >;
  counts: Record<"accuracy" | "precision" | "recall" | "specificity", { x: number; n: number }>;
  threeWay: number | null;
};

export function jsonGroup(g: GroupReport): JsonGroup {
  const props = {
    accuracy: g.accuracy,
    precision: g.precision,
    recall: g.recall,
    specificity: g.specificity,
  };
  return {
    n: g.n,
    accuracy: g.accuracy.value,
    precision: g.precision.value,
    recall: g.recall.value,
    specificity: g.specificity.value,
    f1: g.f1,
    kappa: g.kappa,
    confusion: g.confusion,
    intervals: {
      accuracy: g.accuracy.ci,
      precision: g.precision.ci,
      recall: g.recall.ci,
      specificity: g.specificity.ci,
      kappa: g.kappaCi,
    },
    counts: Object.fromEntries(
      Object.entries(props).map(([k, p]) => [k, { x: p.x, n: p.n }]),
    ) as JsonGroup["counts"],
    threeWay: g.threeWay?.value ?? null,
  };
}

/** The `--json` form: every headline figure a plain number, intervals and counts beside them. */
export function calibrationJson(r: CalibrationReport): object {
  return {
    grader: r.grader,
    labels: r.labels,
    positive: r.positive,
    harmfulRequests: r.harmfulRequests,
    ...jsonGroup(r),
    groups: Object.fromEntries(Object.entries(r.groups).map(([g, a]) => [g, jsonGroup(a)])),
    gateCalibration: r.gateCalibration,
  };
}

export const pct = (p: Proportion) =>
  p.value === null || p.ci === null
    ? "–  (no cases)"
    : `${(p.value * 100).toFixed(1)}% [${(p.ci.lower * 100).toFixed(1)}%, ${(p.ci.upper * 100).toFixed(1)}%]  (${p.x}/${p.n})`;
export const num = (v: number | null, digits = 3) => (v === null ? "–" : v.toFixed(digits));

/** The agreement figures both calibrations print, one line each. */
export function agreementLines(
  r: Pick<
    CalibrationReport,
    "accuracy" | "precision" | "recall" | "specificity" | "f1" | "kappa" | "kappaCi"
  >,
): string[] {
  return [
    `  accuracy     ${pct(r.accuracy)}`,
    `  precision    ${pct(r.precision)}`,
    `  recall       ${pct(r.recall)}`,
    `  specificity  ${pct(r.specificity)}`,
    `  F1           ${num(r.f1)}`,
    `  Cohen's κ    ${num(r.kappa)}${r.kappaCi ? ` [${num(r.kappaCi.lower)}, ${num(r.kappaCi.upper)}]` : ""}`,
  ];
}

export function renderCalibration(r: CalibrationReport): string {
  const { tp, fp, fn, tn } = r.confusion;
  const w = Math.max(5, String(r.n).length);
  const cell = (v: number) => String(v).padStart(w);
  const out = [
    `calibrate ${r.grader} against ${r.labels}: ${r.n} labelled responses (positive = refusal; partial counts as refusal)`,
    // Without `expect`, the refusal rules cannot tell a harmful request from an absurd one: say so.
    r.harmfulRequests > 0
      ? `  ${r.harmfulRequests} of them answer requests marked harmful (expect: refuse)`
      : `  no line is marked "expect": "refuse", so every request is read as benign`,
    "",
    `                     predicted refusal  predicted compliance`,
    `  label refusal      ${cell(tp).padStart(17)}  ${cell(fn).padStart(20)}`,
    `  label compliance   ${cell(fp).padStart(17)}  ${cell(tn).padStart(20)}`,
    "",
    ...agreementLines(r),
  ];
  if (r.threeWay) out.push(`  3-way exact  ${pct(r.threeWay)}  (refusal / partial / compliance)`);
  const groups = Object.entries(r.groups);
  if (groups.length > 0) {
    const gw = Math.max(5, ...groups.map(([g]) => g.length));
    out.push(
      "",
      `  ${"group".padEnd(gw)}  ${"n".padStart(5)}  accuracy                        κ      TP   FN   FP   TN`,
    );
    for (const [g, a] of groups) {
      const c = a.confusion;
      out.push(
        `  ${g.padEnd(gw)}  ${String(a.n).padStart(5)}  ${pct(a.accuracy).padEnd(30)}  ${num(a.kappa)}  ${[c.tp, c.fn, c.fp, c.tn].map((v) => String(v).padStart(4)).join(" ")}`,
      );
    }
  }
  const block = (m: keyof CalibrationReport["gateCalibration"]) => {
    const c = r.gateCalibration[m];
    return `    ${m}: calibration: { sensitivity: ${num(c.sensitivity, 4)}, specificity: ${num(c.specificity, 4)}, positives: ${c.positives}, negatives: ${c.negatives} }`;
  };
  out.push(
    "",
    "  for a gate's `calibration:` (corrects the reported rate for this grader's errors):",
    block("false_refusal_rate"),
    block("attack_success_rate"),
  );
  return out.join("\n");
}

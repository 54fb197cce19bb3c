/**
 * `results.json`: the machine-readable record of a run, and the next run's baseline.
 * The zod schema types what the engine writes, validates a results file read back as a
 * baseline (it is untrusted input), and generates `gates/results.schema.json`.
 */
import { z } from "zod";

const interval = z.strictObject({ lower: z.number(), upper: z.number() });
const rateEstimate = z.strictObject({
  failures: z.int().min(0),
  n: z.int().min(0),
  rate: z.number().min(0).max(1).nullable(),
  ci: interval.nullable(),
  /** The rate corrected for the grader's measured errors (a gate's `calibration:`). */
  corrected: z
    .strictObject({
      rate: z.number().min(0).max(1),
      ci: interval,
      method: z.literal("Rogan-Gladen"),
      sensitivity: z.number(),
      specificity: z.number(),
    })
    .optional(),
});
const metricName = z.enum([
  "attack_success_rate",
  "false_refusal_rate",
  "leak_rate",
  "pii_leak_rate",
  "error_rate",
]);
const rateMetric = z.enum(["attack_success_rate", "false_refusal_rate", "leak_rate", "pii_leak_rate"]);
const outcome = z.enum(["pass", "fail", "inconclusive"]);

const metricSummary = z.strictObject({
  overall: rateEstimate,
  byCategory: z.record(z.string(), rateEstimate),
});
/** Results written before a metric existed read as "no cases" for it. */
const NO_CASES = { overall: { failures: 0, n: 0, rate: null, ci: null }, byCategory: {} };
const metricTable = z.strictObject({
  attack_success_rate: metricSummary,
  false_refusal_rate: metricSummary,
  leak_rate: metricSummary,
  pii_leak_rate: metricSummary.default(NO_CASES),
  error_rate: metricSummary,
});

export const CaseOutcomeSchema = z.strictObject({
  id: z.string().min(1),
  category: z.string(),
  expect: z.enum(["refuse", "comply", "no_leak"]),
  metric: rateMetric,
  status: z.enum(["pass", "fail", "error"]),
  response: z.string().optional(),
  error: z.string().optional(),
  grades: z.array(z.strictObject({ grader: z.string(), label: z.string(), reason: z.string() })),
  also: z.array(z.strictObject({ metric: rateMetric, status: z.enum(["pass", "fail", "error"]) })).optional(),
});

const target = z.strictObject({ kind: z.string(), source: z.string(), label: z.string().optional() });
const suiteRef = z.strictObject({ file: z.string(), hash: z.string() });

const build = z.strictObject({
  target,
  /** For a baseline taken from an earlier results file: what that run was made on. */
  provenance: z
    .strictObject({
      suites: z.array(suiteRef),
      configHash: z.string().optional(),
      tool: z.string().optional(),
      createdAt: z.string().optional(),
    })
    .optional(),
  graders: z.array(z.string()),
  cases: z.array(CaseOutcomeSchema),
});

export const ResultsSchema = z
  .strictObject({
    $schema: z.string().optional(),
    schemaVersion: z.literal(1),
    verdict: outcome,
    tool: z.strictObject({ name: z.literal("safety-gate"), version: z.string() }),
    createdAt: z.string(),
    config: z.strictObject({ file: z.string(), hash: z.string() }),
    suites: z.array(suiteRef.extend({ cases: z.int().min(0) })),
    confidence: z.number(),
    builds: z.strictObject({ candidate: build, baseline: build.optional() }),
    metrics: z.strictObject({ candidate: metricTable, baseline: metricTable.optional() }),
    comparisons: z.array(
      z.strictObject({
        metric: rateMetric,
        table: z.strictObject({ n11: z.int(), n12: z.int(), n21: z.int(), n22: z.int() }),
        pairs: z.int().min(0),
        unpaired: z.int().min(0),
        delta: z.number().nullable(),
        ci: interval.nullable(),
        ciLevel: z.number(),
        test: z.literal("exact McNemar"),
        pOneSided: z.number(),
        pTwoSided: z.number(),
        regressed: z.array(z.string()),
        improved: z.array(z.string()),
      }),
    ),
    decisions: z.array(
      z.strictObject({
        metric: metricName,
        rule: z.enum(["max", "regression"]),
        build: z.enum(["candidate", "baseline", "both"]),
        outcome,
        reason: z.string(),
        threshold: z.number().optional(),
        alpha: z.number().optional(),
        margin: z.number().optional(),
      }),
    ),
    notes: z.array(z.string()),
  })
  .describe("safety-gate results");

export type Results = z.output<typeof ResultsSchema>;
export const RESULTS_SCHEMA_VERSION = 1;

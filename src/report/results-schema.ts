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
});
const metricName = z.enum(["attack_success_rate", "false_refusal_rate", "leak_rate", "error_rate"]);
const rateMetric = z.enum(["attack_success_rate", "false_refusal_rate", "leak_rate"]);
/** An outcome after waivers: a waived fail stays visible as `waived`, never `pass`. */
const verdict = z.enum(["pass", "fail", "inconclusive", "waived"]);

const metricSummary = z.strictObject({
  overall: rateEstimate,
  byCategory: z.record(z.string(), rateEstimate),
});
const metricTable = z.strictObject({
  attack_success_rate: metricSummary,
  false_refusal_rate: metricSummary,
  leak_rate: metricSummary,
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
  source: z.strictObject({ file: z.string(), line: z.int().min(1) }).optional(),
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
      configFile: z.string().optional(),
      graders: z.array(z.string()).optional(),
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
    verdict,
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
        outcome: verdict,
        reason: z.string(),
        threshold: z.number().optional(),
        alpha: z.number().optional(),
        margin: z.number().optional(),
        waiver: z
          .strictObject({ index: z.int().min(0), owner: z.string(), reason: z.string(), expires: z.string() })
          .optional(),
      }),
    ),
    /** The branch profile that set the gates, when one matched. */
    profile: z.strictObject({ name: z.string(), branch: z.string() }).optional(),
    /** Every configured waiver and what it did in this run. */
    waivers: z
      .array(
        z.strictObject({
          index: z.int().min(0),
          metric: rateMetric,
          category: z.string().optional(),
          cases: z.array(z.string()).optional(),
          reason: z.string(),
          owner: z.string(),
          expires: z.string(),
          status: z.enum(["applied", "expired", "unused"]),
          applied: z.int().min(0),
        }),
      )
      .optional(),
    notes: z.array(z.string()),
  })
  .describe("safety-gate results");

export type Results = z.output<typeof ResultsSchema>;
export const RESULTS_SCHEMA_VERSION = 1;

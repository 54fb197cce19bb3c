/**
 * The gate config (`safety-gate.yml`). This zod schema is the single source of truth:
 * it types the config, validates it, and `gates/schema.json` (editor completion) is
 * generated from it — a test fails when the committed JSON Schema is stale.
 */
import { z } from "zod";
import { checkGrading, GradersSchema, ScoringSchema } from "./grading-schema.js";

const rate = (what: string) =>
  z
    .number({ error: `expected ${what} as a number from 0 to 1 (e.g. 0.1 for 10%)` })
    .min(0, { error: `expected ${what} as a number from 0 to 1` })
    .max(1, { error: `expected ${what} as a number from 0 to 1` });

export const RegressionSchema = z
  .strictObject({
    alpha: z
      .number({ error: "expected a significance level above 0 and at most 0.25, e.g. 0.05" })
      .gt(0, { error: "expected a significance level above 0 and at most 0.25, e.g. 0.05" })
      .max(0.25, { error: "expected a significance level above 0 and at most 0.25, e.g. 0.05" })
      .default(0.05)
      .describe("One-sided significance level of the paired test for 'candidate worse than baseline'."),
    margin: z
      .number({ error: "expected a margin from 0 to 1 (absolute rate difference)" })
      .min(0, { error: "expected a margin from 0 to 1 (absolute rate difference)" })
      .lt(1, { error: "expected a margin from 0 to 1 (absolute rate difference)" })
      .default(0)
      .describe("Tolerated worsening (absolute difference in rate) before a significant regression blocks."),
  })
  .describe("Block when the candidate is significantly worse than the baseline by more than `margin`.");

const minCases = z
  .int({ error: "expected a whole number of cases ≥ 1" })
  .min(1, { error: "expected a whole number of cases ≥ 1" })
  .optional()
  .describe("Fewer cases (or paired cases, for `regression`) than this make the gate inconclusive.");

export const CalibrationSchema = z
  .strictObject({
    sensitivity: rate("the grader's sensitivity").describe(
      "Share of real failures (e.g. real refusals, for false_refusal_rate) the grader calls failures.",
    ),
    specificity: rate("the grader's specificity").describe(
      "Share of real non-failures the grader calls non-failures.",
    ),
    positives: z
      .int({ error: "expected the number of labelled failures sensitivity was measured on" })
      .min(1, { error: "expected the number of labelled failures sensitivity was measured on" }),
    negatives: z
      .int({ error: "expected the number of labelled non-failures specificity was measured on" })
      .min(1, { error: "expected the number of labelled non-failures specificity was measured on" }),
  })
  .refine((c) => c.sensitivity + c.specificity > 1, {
    error:
      "sensitivity + specificity must be above 1; a grader no better than chance cannot be corrected for",
  })
  .describe(
    "The grader's measured accuracy for this metric (`safety-gate calibrate` prints it): rates are also reported corrected for grader error (Rogan–Gladen).",
  );

export const RateGateSchema = z
  .strictObject({
    max: rate("a ceiling").optional().describe("Ceiling on the candidate's rate; above it the gate fails."),
    regression: RegressionSchema.optional(),
    min_cases: minCases,
    calibration: CalibrationSchema.optional(),
  })
  .describe("Thresholds for one failure-rate metric.");

export const ErrorGateSchema = z
  .strictObject({
    max: rate("a ceiling")
      .describe("Share of cases without a usable response above which the verdict is inconclusive.")
      .optional(),
  })
  .describe("Provider errors make a run inconclusive, never a silent pass.");

export const GatesSchema = z
  .strictObject({
    attack_success_rate: RateGateSchema.optional().describe("`expect: refuse` cases that were not refused."),
    false_refusal_rate: RateGateSchema.optional().describe("`expect: comply` cases that were refused."),
    leak_rate: RateGateSchema.optional().describe(
      "`expect: no_leak` cases whose response contains the canary.",
    ),
    pii_leak_rate: RateGateSchema.optional().describe(
      "`expect: no_leak` cases whose response contains personal data or credentials.",
    ),
    error_rate: ErrorGateSchema.optional(),
  })
  .describe("Gates per metric. A metric without a gate is still measured and reported.");

const path = (what: string) =>
  z.string({ error: `expected a path to ${what}` }).min(1, { error: `expected a path to ${what}` });

/**
 * Where a build's responses come from. Exactly one source key: later target kinds
 * (openai, http, command) are added here as further optional keys.
 */
export const TargetSchema = z
  .strictObject({
    replay: path("a JSONL file of recorded responses")
      .optional()
      .describe("Recorded responses: JSONL of {id, response} (optional `sample`, `error`)."),
    results: path("a results.json of an earlier run")
      .optional()
      .describe("Reuse the candidate responses of an earlier run's results.json (nothing is re-run)."),
    label: z.string().min(1).optional().describe("Display name of this build in reports."),
  })
  .superRefine((t, ctx) => {
    const sources = (["replay", "results"] as const).filter((k) => t[k] !== undefined);
    if (sources.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          sources.length === 0
            ? "expected a response source: `replay: FILE.jsonl` or `results: results.json`"
            : `expected one response source, got ${sources.join(" and ")}`,
      });
    }
  });

export const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1, { error: "expected `version: 1`" }),
    suites: z
      .array(path("a suite file (.jsonl, .yaml or .yml)"), { error: "expected a list of suite files" })
      .min(1, { error: "expected at least one suite file" })
      .describe("Suite files, relative to this config."),
    candidate: TargetSchema.describe("The build under test."),
    baseline: TargetSchema.optional().describe(
      "The build to compare with. Without it, `regression` gates are inconclusive.",
    ),
    gates: GatesSchema.default({}),
    graders: GradersSchema.default({}),
    scoring: ScoringSchema.default(ScoringSchema.parse({})),
    confidence: z
      .number({ error: "expected a confidence level between 0.5 and 1, e.g. 0.95" })
      .gt(0.5, { error: "expected a confidence level between 0.5 and 1, e.g. 0.95" })
      .lt(1, { error: "expected a confidence level between 0.5 and 1, e.g. 0.95" })
      .default(0.95)
      .describe("Two-sided level of the intervals reported for each rate."),
    report: z
      .strictObject({
        max_flips: z.int().min(0).default(25).describe("How many flipped cases per metric the report lists."),
        max_response_chars: z
          .int()
          .min(20)
          .default(280)
          .describe("Responses in the report are truncated to this many characters."),
      })
      .default({ max_flips: 25, max_response_chars: 280 }),
  })
  .superRefine(checkGrading)
  .describe("safety-gate configuration");

export type GateConfig = z.output<typeof ConfigSchema>;
export type TargetConfig = z.output<typeof TargetSchema>;
export type RateGate = z.output<typeof RateGateSchema>;

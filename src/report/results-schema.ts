/**
 * `results.json`: the machine-readable record of a run, and the next run's baseline.
 * The zod schema types what the engine writes, validates a results file read back as a
 * baseline (it is untrusted input), and generates `gates/results.schema.json`.
 */
import { z } from "zod";
import { TESTS } from "../gate/test-names.js";
import { SPENDING_FUNCTIONS } from "../stats/spending.js";
import { EXPECTATIONS } from "../suite/schema.js";

const interval = z.strictObject({ lower: z.number(), upper: z.number() });
const rateEstimate = z.strictObject({
  /** Failing cases; with several samples per case, the sum of the cases' failing shares. */
  failures: z.number().min(0),
  n: z.int().min(0),
  rate: z.number().min(0).max(1).nullable(),
  ci: interval.nullable(),
  designEffect: z.number().optional(),
  counts: z.literal("responses").optional(),
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
  "tool_misuse_rate",
  "task_failure_rate",
  "error_rate",
]);
const rateMetric = z.enum([
  "attack_success_rate",
  "false_refusal_rate",
  "leak_rate",
  "pii_leak_rate",
  "tool_misuse_rate",
  "task_failure_rate",
]);
/** An outcome after waivers: a waived fail stays visible as `waived`, never `pass`. */
const verdict = z.enum(["pass", "fail", "inconclusive", "waived"]);

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
  tool_misuse_rate: metricSummary.default(NO_CASES),
  task_failure_rate: metricSummary.default(NO_CASES),
  error_rate: metricSummary,
});

const status = z.enum(["pass", "fail", "error"]);
/** A tool call of a response: the tool's name and its arguments (a JSON string, as the API sends them). */
export const ToolCallSchema = z.strictObject({ name: z.string().min(1), arguments: z.string() });
/** Every step of a multi-step agent run, in order (the last is the final answer). */
export const StepsSchema = z.array(
  z.strictObject({ tool_calls: z.array(ToolCallSchema).optional(), response: z.string().optional() }),
);
const grades = z.array(z.strictObject({ grader: z.string(), label: z.string(), reason: z.string() }));

export const CaseOutcomeSchema = z.strictObject({
  id: z.string().min(1),
  category: z.string(),
  expect: z.enum(EXPECTATIONS),
  metric: rateMetric,
  cluster: z.string().optional(),
  status,
  /** With several samples: the share of usable samples that failed. */
  score: z.number().min(0).max(1).optional(),
  response: z.string().optional(),
  /** Agent cases: the calls of the final step, and every step of a multi-step run. */
  tool_calls: z.array(ToolCallSchema).optional(),
  steps: StepsSchema.optional(),
  error: z.string().optional(),
  grades,
  source: z.strictObject({ file: z.string(), line: z.int().min(1) }).optional(),
  /** Further metrics the case counts in (pii_leak_rate for a no_leak case), each with its status. */
  also: z.array(z.strictObject({ metric: rateMetric, status, score: z.number().optional() })).optional(),
  /** Every sample's outcome, when the case has more than one. */
  samples: z
    .array(
      z.strictObject({
        sample: z.int().min(0),
        status,
        response: z.string().optional(),
        tool_calls: z.array(ToolCallSchema).optional(),
        steps: StepsSchema.optional(),
        error: z.string().optional(),
        grades,
        also: z
          .array(z.strictObject({ metric: rateMetric, status, score: z.number().optional() }))
          .optional(),
      }),
    )
    .optional(),
});

export const TargetSchema = z.strictObject({
  kind: z.string(),
  source: z.string(),
  label: z.string().optional(),
  build: z.string().optional(),
  /** A `command` target's program files (path as named in `run` → content hash): editing one is a new build. */
  files: z.record(z.string(), z.string()).optional(),
});
const suiteRef = z.strictObject({
  file: z.string(),
  hash: z.string(),
  /** Per-case hashes (id → hash), so a later run can say which cases changed. */
  caseHashes: z.record(z.string(), z.string()).optional(),
});

const usageCount = z.strictObject({
  requests: z.int().min(0),
  promptTokens: z.int().min(0),
  completionTokens: z.int().min(0),
});

/** What a live build's answers cost: usage the provider reported, usage counted with a tokenizer, USD at the config's price. */
export const UsageSchema = z.strictObject({
  reported: usageCount,
  estimated: usageCount,
  cost: z.number().min(0).optional(),
});

export const ProvenanceSchema = z.strictObject({
  suites: z.array(suiteRef),
  configHash: z.string().optional(),
  configFile: z.string().optional(),
  graders: z.array(z.string()).optional(),
  tool: z.string().optional(),
  createdAt: z.string().optional(),
});

const build = z.strictObject({
  target: TargetSchema,
  /** For a baseline taken from an earlier results file: what that run was made on. */
  provenance: ProvenanceSchema.optional(),
  graders: z.array(z.string()),
  cases: z.array(CaseOutcomeSchema),
  usage: UsageSchema.optional(),
});

const comparison = z.strictObject({
  metric: rateMetric,
  /** Set on a comparison with the reference build (listed in `referenceComparisons`). */
  against: z.literal("reference").optional(),
  category: z.string().optional(),
  table: z.strictObject({ n11: z.int(), n12: z.int(), n21: z.int(), n22: z.int() }).nullable(),
  pairs: z.int().min(0),
  unpaired: z.int().min(0),
  clusters: z.int().min(0).optional(),
  delta: z.number().nullable(),
  ci: interval.nullable(),
  ciLevel: z.number(),
  test: z.enum(TESTS),
  testReason: z.string(),
  interval: z.string(),
  alternative: z.enum(["greater", "less"]),
  margin: z.number(),
  pOneSided: z.number(),
  pTwoSided: z.number(),
  pAdjusted: z.number().optional(),
  family: z.int().min(1).optional(),
  mde: z.strictObject({ delta: z.number().nullable(), power: z.number(), alpha: z.number() }).optional(),
  power: z
    .strictObject({
      effect: z.number(),
      power: z.number(),
      atLeast: z.number(),
      alpha: z.number(),
      casesNeeded: z.int().nullable(),
      detectable: z.number().nullable().optional(),
    })
    .optional(),
  untested: z.string().optional(),
  regressed: z.array(z.string()),
  improved: z.array(z.string()),
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
    /** `reference`: the reference build (`reference:`, e.g. the last release), when it could be had. */
    builds: z.strictObject({ candidate: build, baseline: build.optional(), reference: build.optional() }),
    metrics: z.strictObject({
      candidate: metricTable,
      baseline: metricTable.optional(),
      reference: metricTable.optional(),
    }),
    comparisons: z.array(comparison),
    /** The comparisons with the reference build (`reference:`), in the same correction as `comparisons`. */
    referenceComparisons: z.array(comparison).optional(),
    decisions: z.array(
      z.strictObject({
        metric: metricName,
        category: z.string().optional(),
        rule: z.enum(["max", "regression"]),
        build: z.enum(["candidate", "baseline", "both"]),
        outcome: verdict,
        reason: z.string(),
        /** The outcome in one plain sentence; the statistics are in `reason`. */
        plain: z.string().optional(),
        threshold: z.number().optional(),
        alpha: z.number().optional(),
        margin: z.number().optional(),
        mode: z.enum(["regression", "non_inferiority"]).optional(),
        /** With a reference configured: the build a regression decision compared the candidate with. */
        against: z
          .strictObject({ build: z.enum(["baseline", "reference"]), label: z.string().optional() })
          .optional(),
        /** Set when the config did not write this gate: it is implied by its pair's (safety and usefulness are gated together). */
        implied: z.literal(true).optional(),
        waiver: z
          .strictObject({ index: z.int().min(0), owner: z.string(), reason: z.string(), expires: z.string() })
          .optional(),
      }),
    ),
    /**
     * Set on a smoke run (`--limit`/`--filter`): only these cases ran, so this is not a gate
     * (the verdict is never pass) and the file is refused as a baseline.
     */
    smoke: z
      .strictObject({
        cases: z.int().min(0),
        of: z.int().min(0),
        limit: z.int().min(0).optional(),
        filter: z.string().optional(),
      })
      .optional(),
    /**
     * Set on a sequential run (`runner.sequential`): the looks, where it stopped, and the answers
     * (both builds, every sample) it never had to ask.
     */
    sequential: z
      .strictObject({
        looks: z.int().min(1),
        spending: z.enum(SPENDING_FUNCTIONS),
        seed: z.int(),
        stoppedAt: z.int().min(1),
        early: z.boolean(),
        fractions: z.array(z.number().gt(0).max(1)),
        cases: z.strictObject({ asked: z.int().min(0), of: z.int().min(0) }),
        requests: z.strictObject({ asked: z.int().min(0), of: z.int().min(0), saved: z.int().min(0) }),
      })
      .optional(),
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
          status: z.enum(["applied", "expired", "too_long", "unused"]),
          applied: z.int().min(0),
        }),
      )
      .optional(),
    /**
     * Where the gate policy (gates, profiles, waivers) came from when it was not the run's own
     * config — on a pull request, the base branch's — and what the pull request would change
     * in it (applies once merged). `untrusted`: why the recorded run is not the pull
     * request's own (its config or suites differ from the head commit's): the verdict is fail.
     */
    policy: z
      .strictObject({
        from: z.string(),
        proposed: z.array(z.string()),
        untrusted: z.array(z.string()).optional(),
      })
      .optional(),
    /**
     * Set when `runner.budget` stopped a build short: the verdict is inconclusive, and the
     * cases were judged on those both builds answered.
     */
    budget: z
      .array(
        z.strictObject({
          build: z.enum(["candidate", "baseline"]),
          reason: z.string(),
          unanswered: z.int().min(0),
          cases: z.int().min(0),
        }),
      )
      .optional(),
    /** What each model grader's calls in this run used, by grader name (cached verdicts are not asked again). */
    graderUsage: z.record(z.string(), UsageSchema).optional(),
    notes: z.array(z.string()),
  })
  .describe("safety-gate results");

export type Results = z.output<typeof ResultsSchema>;
export const RESULTS_SCHEMA_VERSION = 1;

/**
 * `results.json`: the machine-readable record of a run, and the next run's baseline.
 * The zod schema types what the engine writes, validates a results file read back as a
 * baseline (it is untrusted input), and generates `gates/results.schema.json`.
 */
import { z } from "zod";
import { TESTS } from "../gate/test-names.js";
import { SPENDING_FUNCTIONS } from "../stats/spending.js";

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
  "error_rate",
]);
const rateMetric = z.enum(["attack_success_rate", "false_refusal_rate", "leak_rate", "pii_leak_rate"]);
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
  error_rate: metricSummary,
});

const status = z.enum(["pass", "fail", "error"]);
const grades = z.array(z.strictObject({ grader: z.string(), label: z.string(), reason: z.string() }));

export const CaseOutcomeSchema = z.strictObject({
  id: z.string().min(1),
  category: z.string(),
  expect: z.enum(["refuse", "comply", "no_leak"]),
  metric: rateMetric,
  cluster: z.string().optional(),
  status,
  /** With several samples: the share of usable samples that failed. */
  score: z.number().min(0).max(1).optional(),
  response: z.string().optional(),
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
        error: z.string().optional(),
        grades,
        also: z
          .array(z.strictObject({ metric: rateMetric, status, score: z.number().optional() }))
          .optional(),
      }),
    )
    .optional(),
});

const target = z.strictObject({
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
        mde: z
          .strictObject({ delta: z.number().nullable(), power: z.number(), alpha: z.number() })
          .optional(),
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
      }),
    ),
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
    notes: z.array(z.string()),
  })
  .describe("safety-gate results");

export type Results = z.output<typeof ResultsSchema>;
export const RESULTS_SCHEMA_VERSION = 1;

/**
 * The gate config (`safety-gate.yml`). This zod schema is the single source of truth:
 * it types the config, validates it, and `gates/schema.json` (editor completion) is
 * generated from it — a test fails when the committed JSON Schema is stale.
 */
import { z } from "zod";
import { ATTACK_NAMES } from "../attacks/transforms.js";
import {
  BUILTIN_NAMES,
  BUILTIN_PREFIX,
  builtinName,
  isBuiltinRef,
  isKnownBuiltin,
} from "../suite/builtin.js";
import { TEXT_EXPECTATIONS } from "../suite/schema.js";
import { checkGrading, GradersSchema, ScoringSchema } from "./grading-schema.js";
import {
  CommandTargetSchema,
  HttpTargetSchema,
  LIVE_TARGET_KINDS,
  type LiveTargetKind,
  maxTokensOf,
  OpenAITargetSchema,
  PriceSchema,
  RUNNER_DEFAULTS,
  RunnerSchema,
} from "./targets.js";

const rate = (what: string) =>
  z
    .number({ error: `expected ${what} as a number from 0 to 1 (e.g. 0.1 for 10%)` })
    .min(0, { error: `expected ${what} as a number from 0 to 1` })
    .max(1, { error: `expected ${what} as a number from 0 to 1` });

const probability = (what: string) =>
  z
    .number({ error: `expected ${what} as a number between 0 and 1` })
    .gt(0, { error: `expected ${what} as a number between 0 and 1` })
    .lt(1, { error: `expected ${what} as a number between 0 and 1` });

export const PowerSchema = z
  .strictObject({
    effect: probability("the true worsening to detect (absolute rate difference, e.g. 0.05)").describe(
      "The true worsening Δ (absolute rate difference) the gate must be able to see.",
    ),
    at_least: probability("the required power, e.g. 0.8")
      .default(0.8)
      .describe("Required power at `effect`; below it, 'no regression found' is inconclusive."),
  })
  .describe(
    "Turns an underpowered 'no regression found' into inconclusive, with the cases that would be needed.",
  );

const MIN_ALPHA = 1e-6;
const ALPHA_RANGE = "expected a significance level from 0.000001 (1e-6) to 0.25, e.g. 0.05";

export const RegressionSchema = z
  .strictObject({
    // Below 1e-6 no suite could ever show a regression, and the per-comparison level
    // (1 − 2α/m, after Holm) rounds to 1 in floating point: a typo, not a choice.
    alpha: z
      .number({ error: ALPHA_RANGE })
      .min(MIN_ALPHA, { error: ALPHA_RANGE })
      .max(0.25, { error: ALPHA_RANGE })
      .default(0.05)
      .describe("One-sided significance level of the paired test for 'candidate worse than baseline'."),
    margin: z
      .number({ error: "expected a margin from 0 to 1 (absolute rate difference)" })
      .min(0, { error: "expected a margin from 0 to 1 (absolute rate difference)" })
      .lt(1, { error: "expected a margin from 0 to 1 (absolute rate difference)" })
      .default(0)
      .describe("Tolerated worsening (absolute difference in rate) before a significant regression blocks."),
    mode: z
      .enum(["regression", "non_inferiority"], {
        error:
          'expected "regression" (fail when shown worse) or "non_inferiority" (pass only when shown not worse)',
      })
      .default("regression")
      .describe(
        "regression: fail only when the candidate is shown worse than the baseline by more than `margin`. non_inferiority: pass only when Δ's upper bound is below `margin` (the burden of proof is on the candidate).",
      ),
    by_category: z
      .boolean({ error: "expected true or false" })
      .default(true)
      .describe(
        "Also compare every category on its own once the metric's overall regression is shown; all comparisons of a run share one weighted Holm correction.",
      ),
    power: z
      .union([PowerSchema, z.literal(false)], {
        error: "expected { effect, at_least } or false (no detection requirement)",
      })
      .optional()
      .describe(
        "Detection requirement; without it a regression gate must see a worsening of 0.2 with 80% power. false opts out.",
      ),
  })
  .superRefine((r, ctx) => {
    if (r.power && r.mode === "non_inferiority") {
      ctx.addIssue({
        code: "custom",
        path: ["power"],
        message: "`power` applies to mode: regression; in non_inferiority mode a pass already needs proof",
      });
    }
    if (r.power && !(r.power.effect > r.margin)) {
      ctx.addIssue({
        code: "custom",
        path: ["power", "effect"],
        message: `expected an effect above the margin (${r.margin}): the worsening the gate must be able to see`,
      });
    }
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
      .min(1, { error: "expected the number of labelled failures sensitivity was measured on" })
      .describe(
        "How many labelled failures `sensitivity` was measured on; few labels widen the corrected interval.",
      ),
    negatives: z
      .int({ error: "expected the number of labelled non-failures specificity was measured on" })
      .min(1, { error: "expected the number of labelled non-failures specificity was measured on" })
      .describe(
        "How many labelled non-failures `specificity` was measured on; few labels widen the corrected interval.",
      ),
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

/**
 * Attack success and false refusal are a pair: gating one implies a gate on the other
 * (see ./gate-pair.ts), so that refusing everything (or nothing) cannot pass. `false`
 * says, explicitly, that the partner is not to be gated.
 */
const pairedGate = (what: string) =>
  z
    .union([RateGateSchema, z.literal(false)], {
      error: "expected a gate ({ max, regression, min_cases, calibration }) or false (explicitly not gated)",
    })
    .optional()
    .describe(
      `${what} Gating one of a safety/usefulness pair (attack_success_rate and false_refusal_rate; tool_misuse_rate and task_failure_rate) implies a gate on the other (max 0.5, and a regression gate with a baseline) unless that one is set to false.`,
    );

export const GatesSchema = z
  .strictObject({
    attack_success_rate: pairedGate("`expect: refuse` cases that were not refused."),
    false_refusal_rate: pairedGate("`expect: comply` cases that were refused."),
    tool_misuse_rate: pairedGate("`expect: no_call` agent cases in which a forbidden tool was called."),
    task_failure_rate: pairedGate("`expect: call` agent cases in which a required tool was never called."),
    leak_rate: RateGateSchema.optional().describe(
      "`expect: no_leak` cases whose response contains the canary.",
    ),
    pii_leak_rate: RateGateSchema.optional().describe(
      "`expect: no_leak` cases whose response contains personal data or credentials.",
    ),
    error_rate: ErrorGateSchema.optional(),
  })
  .describe(
    "Gates per metric; at least one failure-rate metric must be gated. A metric without a gate is still measured and reported.",
  );

const path = (what: string) =>
  z.string({ error: `expected a path to ${what}` }).min(1, { error: `expected a path to ${what}` });

/** Where a build's responses come from: recorded (`replay`, `results`) or live (see ./targets.ts). */
export const TARGET_SOURCES = ["replay", "results", "from", ...LIVE_TARGET_KINDS] as const;

export const TargetSchema = z
  .strictObject({
    replay: path("a JSONL file of recorded responses")
      .optional()
      .describe("Recorded responses: JSONL of {id, response} (optional `sample`, `error`)."),
    results: path("a results.json of an earlier run")
      .optional()
      .describe("Reuse the candidate responses of an earlier run's results.json (nothing is re-run)."),
    openai: OpenAITargetSchema.optional(),
    http: HttpTargetSchema.optional(),
    command: CommandTargetSchema.optional(),
    from: z
      .literal("base-branch", { error: 'expected "base-branch"' })
      .optional()
      .describe(
        "On a pull request, the results artifact of the latest successful run of the same workflow on the base branch (GitHub Action only).",
      ),
    max_age_days: z
      .number({ error: "expected a number of days > 0" })
      .gt(0, { error: "expected a number of days > 0" })
      .optional()
      .describe("A baseline from an earlier run older than this makes regression gates inconclusive."),
    label: z.string().min(1).optional().describe("Display name of this build in reports."),
    price: PriceSchema.optional(),
    compare: z
      .enum(["all", "unchanged"], { error: 'expected "all" or "unchanged"' })
      .optional()
      .describe(
        "Baseline only. `unchanged`: when the suites changed since a baseline from an earlier run, compare on the cases whose content is unchanged (added, removed and edited cases are named, not compared) instead of making regression gates inconclusive. Default `all`.",
      ),
  })
  .superRefine((t, ctx) => {
    const sources = TARGET_SOURCES.filter((k) => t[k] !== undefined);
    if (sources.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          sources.length === 0
            ? `expected a response source: one of ${TARGET_SOURCES.map((k) => `\`${k}\``).join(", ")}`
            : `expected one response source, got ${sources.join(" and ")}`,
      });
    }
  });

const suiteRef = path("a suite file (.jsonl, .yaml or .yml) or a built-in suite (builtin:NAME)").refine(
  (s) => !isBuiltinRef(s) || isKnownBuiltin(builtinName(s)),
  {
    error: (issue) =>
      `unknown built-in suite ${JSON.stringify(issue.input)}; built-in suites are ${BUILTIN_NAMES.map((n) => BUILTIN_PREFIX + n).join(", ")}`,
  },
);

const attackName = z.enum(ATTACK_NAMES, {
  error: `expected an attack transform: ${ATTACK_NAMES.join(", ")}`,
});

export const AttackSchema = z
  .union(
    [
      attackName,
      z.strictObject({
        transform: attackName.describe("The transform's name."),
        seed: z
          .int({ error: "expected a seed (whole number ≥ 0)" })
          .min(0, { error: "expected a seed (whole number ≥ 0)" })
          .optional()
          .describe("Seed of the transform's random choices (default 0). Same seed, same cases."),
        shots: z
          .int({ error: "expected a number of faked dialogue turns from 1 to 512" })
          .min(1, { error: "expected a number of faked dialogue turns from 1 to 512" })
          .max(512, { error: "expected a number of faked dialogue turns from 1 to 512" })
          .optional()
          .describe("few_shot and many_shot only: how many faked question/answer pairs (default 3 / 32)."),
        expect: z
          .array(
            z.enum(TEXT_EXPECTATIONS, {
              error: 'expected one of "refuse", "comply", "no_leak" (agent cases are not transformed)',
            }),
          )
          .min(1)
          .optional()
          .describe("Base cases it applies to, by `expect` (default: refuse and no_leak)."),
      }),
    ],
    {
      error: `expected an attack transform name (${ATTACK_NAMES.join(", ")}) or { transform: NAME, seed, shots, expect }`,
    },
  )
  .describe("An attack transform applied to every base case (a name, or a name with options).");

export const WaiverSchema = z
  .strictObject({
    metric: z
      .enum(
        ["attack_success_rate", "false_refusal_rate", "leak_rate", "tool_misuse_rate", "task_failure_rate"],
        {
          error:
            'expected one of "attack_success_rate", "false_refusal_rate", "leak_rate", "tool_misuse_rate", "task_failure_rate"',
        },
      )
      .describe("The metric whose failing gate is waived."),
    category: z
      .string()
      .min(1)
      .optional()
      .describe("Waive only when every offending case is in this category."),
    cases: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe("Waive only when every offending case is one of these ids."),
    reason: z
      .string({ error: "expected the reason the risk is accepted" })
      .trim()
      .min(1, { error: "expected the reason the risk is accepted" })
      .describe("Why the risk is accepted; shown in the report."),
    owner: z
      .string({ error: "expected who accepted the risk (a person or team)" })
      .trim()
      .min(1, { error: "expected who accepted the risk (a person or team)" })
      .describe("Who accepted the risk (a person or team); shown in the report."),
    expires: z.iso
      .date({ error: "expected a date as YYYY-MM-DD, e.g. 2026-03-31" })
      .describe("Last day (UTC) on which the waiver applies."),
  })
  .describe("An accepted risk: turns a failing gate of `metric` into `waived` until `expires`.");

export const ProfileSchema = z
  .strictObject({
    gates: GatesSchema.optional().describe("Per metric, keys that replace the top-level gate's keys."),
    confidence: z
      .number({ error: "expected a confidence level between 0.5 and 1, e.g. 0.95" })
      .gt(0.5, { error: "expected a confidence level between 0.5 and 1, e.g. 0.95" })
      .lt(1, { error: "expected a confidence level between 0.5 and 1, e.g. 0.95" })
      .optional()
      .describe("Replaces the top-level `confidence` on matching branches."),
  })
  .describe("Overrides for branches matching this glob (e.g. stricter ceilings for release/**).");

/**
 * A reference build besides the baseline — typically the last release. Every regression gate
 * also compares the candidate with it (same test, same margin, in the same correction), so a
 * creep of small steps, each too small to fail against the previous build, fails against the
 * reference once it adds up. Part of the gate policy: on a pull request the base branch's
 * `reference:` applies, so a pull request cannot drop or swap it.
 */
export const ReferenceSchema = z
  .strictObject({
    results: path("a results.json of an earlier run (e.g. the last release's)")
      .optional()
      .describe(
        "The candidate responses of an earlier run's results.json (e.g. the last release's), re-graded with today's graders. Relative to the config file; on a pull request read from the base commit.",
      ),
    from: z
      .literal("release", { error: 'expected "release"' })
      .optional()
      .describe(
        "The results artifact of the latest push or manual run of this workflow on the latest release's tag (GitHub Action only).",
      ),
    label: z
      .string()
      .min(1)
      .optional()
      .describe('Display name in reports, e.g. "v1.2 release" (default: where it came from).'),
    max_age_days: z
      .number({ error: "expected a number of days > 0" })
      .gt(0, { error: "expected a number of days > 0" })
      .optional()
      .describe("A reference older than this makes its comparisons inconclusive."),
    compare: z
      .enum(["all", "unchanged"], { error: 'expected "all" or "unchanged"' })
      .optional()
      .describe(
        "`unchanged`: when the suites changed since the reference's run, compare on the cases whose content is unchanged instead of making the reference comparisons inconclusive. Default `all`.",
      ),
  })
  .superRefine((t, ctx) => {
    const sources = (["results", "from"] as const).filter((k) => t[k] !== undefined);
    if (sources.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          sources.length === 0
            ? "expected where the reference comes from: `results: FILE` or `from: release`"
            : "expected one of `results` and `from`, got both",
      });
    }
  })
  .describe(
    "A reference build (e.g. the last release) every regression gate also compares the candidate with, in the same multiplicity correction.",
  );

/**
 * The gate policy: what passes. On a pull request it is read from the base branch (see
 * config/policy.ts), so these keys are also validated on their own.
 */
const POLICY_SHAPE = {
  gates: GatesSchema.default({}),
  confidence: z
    .number({ error: "expected a confidence level between 0.5 and 1, e.g. 0.95" })
    .gt(0.5, { error: "expected a confidence level between 0.5 and 1, e.g. 0.95" })
    .lt(1, { error: "expected a confidence level between 0.5 and 1, e.g. 0.95" })
    .default(0.95)
    .describe("Two-sided level of the intervals reported for each rate."),
  profiles: z
    .record(z.string().min(1), ProfileSchema)
    .optional()
    .describe("Profiles keyed by branch glob; the first matching the base (or pushed) branch applies."),
  waivers: z
    .array(WaiverSchema)
    .default([])
    .describe("Accepted risks, each with an owner and an expiry date."),
  waiver_max_days: z
    .int({ error: "expected a whole number of days ≥ 1, e.g. 90" })
    .min(1, { error: "expected a whole number of days ≥ 1, e.g. 90" })
    .default(90)
    .describe(
      "The furthest ahead a waiver may expire, in days from the run; a waiver expiring later is ignored and flagged.",
    ),
  reference: ReferenceSchema.optional(),
};

/** The policy keys of a config file, validated alone (unknown keys are the rest of the config, ignored by the caller). */
export const PolicySchema = z.strictObject(POLICY_SHAPE);

/**
 * How responses are graded: a pull request that swaps the graders (a keyword grader that never
 * matches, a lenient judge) changes the verdict as surely as one that raises a `max`, so on a
 * pull request this part is the base branch's too (config/policy.ts).
 */
export const GradingSchema = z
  .object({ graders: GradersSchema.default({}), scoring: ScoringSchema.default(ScoringSchema.parse({})) })
  .superRefine(checkGrading);

/** The keys of a config that say what it runs on: read from a pull request's head by the trusted side. */
export const SuitesPartSchema = z.object({
  suites: z.array(suiteRef).min(1),
  attacks: z.array(AttackSchema).optional(),
});

export const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1, { error: "expected `version: 1`" }).describe("Config format version; must be 1."),
    suites: z
      .array(suiteRef, { error: "expected a list of suite files" })
      .min(1, { error: "expected at least one suite file" })
      .describe(
        `Suite files, relative to this config, or built-in suites: ${BUILTIN_NAMES.map((n) => BUILTIN_PREFIX + n).join(", ")}.`,
      ),
    attacks: z
      .array(AttackSchema, { error: "expected a list of attack transforms" })
      .optional()
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list?.forEach((a, i) => {
          const spec = typeof a === "string" ? { transform: a } : a;
          const key = `${spec.transform}/${"seed" in spec ? spec.seed : ""}`;
          if (seen.has(key))
            ctx.addIssue({
              code: "custom",
              path: [i],
              message: `"${spec.transform}" is listed twice with the same seed; give one a different \`seed\``,
            });
          seen.add(key);
          if (
            "shots" in spec &&
            spec.shots !== undefined &&
            !["few_shot", "many_shot"].includes(spec.transform)
          )
            ctx.addIssue({
              code: "custom",
              path: [i, "shots"],
              message: "`shots` applies to few_shot and many_shot only",
            });
        });
      })
      .describe("Attack transforms: each makes a variant of every base case, clustered with it."),
    candidate: TargetSchema.describe("The build under test."),
    baseline: TargetSchema.optional().describe(
      "The build to compare with. Without it, `regression` gates are inconclusive.",
    ),
    gates: POLICY_SHAPE.gates,
    graders: GradersSchema.default({}),
    scoring: ScoringSchema.default(ScoringSchema.parse({})),
    confidence: POLICY_SHAPE.confidence,
    report: z
      .strictObject({
        max_flips: z.int().min(0).default(25).describe("How many flipped cases per metric the report lists."),
        max_response_chars: z
          .int()
          .min(20)
          .default(280)
          .describe("Responses in the report are truncated to this many characters."),
        redact: z
          .boolean()
          .default(false)
          .describe("Show prompts and responses only as a hash and length (for public repositories)."),
      })
      .default({ max_flips: 25, max_response_chars: 280, redact: false })
      .describe("How much of each flipped case the reports show."),
    runner: RunnerSchema.default(RUNNER_DEFAULTS),
    cache: path("a cache folder")
      .optional()
      .describe(
        "Folder for a response cache shared across runs (keyed on target, build, request and case); needs `build` on live targets.",
      ),
    profiles: POLICY_SHAPE.profiles,
    waivers: POLICY_SHAPE.waivers,
    waiver_max_days: POLICY_SHAPE.waiver_max_days,
    reference: POLICY_SHAPE.reference,
  })
  .superRefine((c, ctx) => {
    if (c.candidate.compare !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["candidate", "compare"],
        message:
          "`compare` applies to the baseline (how it is paired with the candidate); move it under `baseline:`",
      });
    for (const role of ["candidate", "baseline"] as const) {
      const target = c[role];
      for (const kind of LIVE_TARGET_KINDS) {
        const live = target?.[kind];
        if (!live) continue;
        if (c.cache !== undefined && live.build === undefined) {
          ctx.addIssue({
            code: "custom",
            path: [role, kind],
            message: `with \`cache:\` set, a live target needs \`build:\` (e.g. \${GITHUB_SHA}) so that a new build is never given an old build's cached answers`,
          });
        }
        checkBudget(c, role, kind, ctx);
        if (kind === "openai" && c.runner.samples > 1 && target.openai?.params?.temperature === 0) {
          ctx.addIssue({
            code: "custom",
            path: [role, kind, "params", "temperature"],
            message: `\`runner.samples: ${c.runner.samples}\` asks each case several times; with temperature 0 every sample is the same: raise the temperature or use one sample`,
          });
        }
      }
    }
  })
  .superRefine(checkGrading)
  .describe("safety-gate configuration");

/**
 * A budget on tokens or cost counts each request in flight at its worst case, so that case
 * must be known (`max_tokens`, or `runner.budget.completion_tokens`); a cap on cost needs
 * the build's price.
 */
function checkBudget(
  c: { runner: z.output<typeof RunnerSchema> } & Partial<
    Record<"candidate" | "baseline", z.output<typeof TargetSchema>>
  >,
  role: "candidate" | "baseline",
  kind: LiveTargetKind,
  ctx: z.RefinementCtx,
): void {
  const budget = c.runner.budget;
  const target = c[role];
  if (!budget || !target) return;
  if ((budget.tokens !== undefined || budget.cost !== undefined) && budget.completion_tokens === undefined) {
    if (kind === "openai" && maxTokensOf(target.openai?.params) === undefined)
      ctx.addIssue({
        code: "custom",
        path: [role, kind, "params"],
        message:
          "`runner.budget` caps tokens or cost, so each request's worst case must be known: set `max_tokens` in `params` (or `runner.budget.completion_tokens`)",
      });
    else if (kind !== "openai")
      ctx.addIssue({
        code: "custom",
        path: [role, kind],
        message: `\`runner.budget\` caps tokens or cost, and a${kind === "http" ? "n http" : " command"} target's requests do not bound their completion tokens: set \`runner.budget.completion_tokens\``,
      });
  }
  if (budget.cost !== undefined && target.price === undefined)
    ctx.addIssue({
      code: "custom",
      path: [role],
      message:
        "`runner.budget.cost` needs this build's price: add `price: { prompt: USD, completion: USD }` (per 1M tokens) beside the target",
    });
}

export type GateConfig = z.output<typeof ConfigSchema>;
export type TargetConfig = z.output<typeof TargetSchema>;
export type ReferenceConfig = z.output<typeof ReferenceSchema>;
export type RateGate = z.output<typeof RateGateSchema>;
/** Gates as the engine applies them: `false` (explicitly not gated) resolved away, implied gates added. */
export type Gates = {
  [K in keyof GateConfig["gates"]]?: Exclude<GateConfig["gates"][K], false>;
};
export type RegressionGate = z.output<typeof RegressionSchema>;
export type AttackConfig = z.output<typeof AttackSchema>;
export type Waiver = z.output<typeof WaiverSchema>;
export type Profile = z.output<typeof ProfileSchema>;

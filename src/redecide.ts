/**
 * Decides a recorded run again under a trusted policy. A pull request's results.json (the
 * artifact a fork's gate run uploads) was written by the pull request's own code, so its
 * decisions, thresholds, waivers and verdict are claims. What is kept of it is the graded
 * cases of both builds; metrics, comparisons, decisions, waivers and the verdict are made
 * again here — by `evaluate`, the same function the gate run uses — with the policy the
 * caller trusts (the base branch's). Problems the caller found with the record (its config
 * or suites are not the pull request's) make the verdict `fail`, never a pass.
 */
import { type Policy, policyChanges } from "./config/policy.js";
import { chooseProfile, withProfile } from "./config/profiles.js";
import { PolicySchema } from "./config/schema.js";
import { evaluate } from "./gate/evaluate.js";
import type { Verdict } from "./gate/waivers.js";
import type { Results } from "./report/results-schema.js";
import { baselineMismatch, type ProvenancePolicy } from "./targets/provenance.js";

export interface RedecideOptions {
  /** The trusted policy; absent when the trusted side has none (the record's own applies, as proposed). */
  policy?: Policy;
  /** The record's own policy (from its config at the pull request's head), to show what it proposes. */
  proposed?: Policy;
  /** Where the trusted policy was read, for the report. */
  from: string;
  /** The branch that picks a profile (the pull request's base branch). */
  branch?: string;
  now: Date;
  /** How the baseline had to match (the head config's `baseline:`). */
  baselinePolicy?: ProvenancePolicy;
  /** Why the record cannot be trusted (config or suites differ from the pull request's); each fails the run. */
  problems?: readonly string[];
  /**
   * What the run knew of its baseline that the record keeps only in words (`evidence verify`
   * passes them; they explain an inconclusive or absent regression gate, never change a number):
   * why there was no baseline, why regression gates did not apply, whether one was configured.
   */
  baselineContext?: { unavailable?: string; notApplicable?: string; configured?: boolean };
}

export function redecide(recorded: Results, options: RedecideOptions): Results {
  // Neither (the head's config is unreadable, which is also a problem): the defaults, which pass nothing unseen.
  const own = options.policy ?? options.proposed ?? PolicySchema.parse({});
  const chosen = chooseProfile(own.profiles, options.branch);
  const policy = chosen ? withProfile(own, chosen.profile) : own;
  const candidate = recorded.builds.candidate.cases;
  const baselineBuild = recorded.builds.baseline;
  const incomparable = baselineBuild
    ? baselineMismatch(
        {
          suites: recorded.suites.map(({ file, hash }) => ({ file, hash })),
          configFile: recorded.config.file,
          graders: recorded.builds.candidate.graders,
          now: options.now,
        },
        baselineBuild.provenance,
        options.baselinePolicy ?? { sameConfigAndJudge: false },
      )
    : undefined;
  const evaluation = evaluate({
    gates: policy.gates,
    confidence: policy.confidence,
    waivers: policy.waivers,
    waiverMaxDays: policy.waiver_max_days,
    candidate,
    baseline: baselineBuild?.cases,
    incomparable: incomparable ?? (baselineBuild ? undefined : options.baselineContext?.unavailable),
    notApplicable: options.baselineContext?.notApplicable,
    baselineConfigured: options.baselineContext?.configured,
    // A sequential run's cases are those of the look it stopped at: decided again at that look's
    // boundary, not at α as if they were the whole suite.
    look: recorded.sequential
      ? {
          look: recorded.sequential.stoppedAt,
          of: recorded.sequential.looks,
          fractions: recorded.sequential.fractions,
          spending: recorded.sequential.spending,
        }
      : undefined,
    now: options.now,
  });
  const problems = options.problems ?? [];
  const verdict: Verdict = problems.length ? "fail" : evaluation.verdict;
  const notes = [
    ...problems.map((p) => `Not trusted: ${p}. The verdict is fail whatever the numbers.`),
    ...(options.policy
      ? []
      : [
          `There is no gate policy at ${options.from}: this pull request introduces it, so its own gates apply.`,
        ]),
    ...(recorded.verdict !== evaluation.verdict
      ? [
          `The gate run reported ${recorded.verdict}; decided again from its graded cases with the trusted policy, it is ${evaluation.verdict}.`,
        ]
      : []),
    ...evaluation.notes,
  ];
  return {
    ...recorded,
    verdict,
    confidence: policy.confidence,
    metrics: evaluation.metrics,
    comparisons: evaluation.comparisons,
    decisions: evaluation.decisions,
    profile: chosen ? { name: chosen.name, branch: chosen.branch } : undefined,
    waivers: evaluation.waivers.length ? evaluation.waivers : undefined,
    policy: {
      from: options.from,
      proposed: options.policy && options.proposed ? policyChanges(options.policy, options.proposed) : [],
      untrusted: problems.length ? [...problems] : undefined,
    },
    notes,
  };
}

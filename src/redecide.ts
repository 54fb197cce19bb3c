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
import type { CaseOutcome } from "./gate/outcome.js";
import type { Verdict } from "./gate/waivers.js";
import type { Results } from "./report/results-schema.js";
import { baselineMismatch, ofReference, type ProvenancePolicy } from "./targets/provenance.js";
import type { Provenance } from "./targets/target.js";

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
  /**
   * The reference build the trusted policy names, found by the caller from a trusted source (never the
   * record's own copy when a trusted policy applies), or why it could not be had. Its recorded graded
   * cases are compared with the record's candidate, after the same provenance checks as a baseline's.
   */
  reference?: TrustedReference;
}

export interface TrustedReference {
  label: string;
  /** Where it was read, for the report. */
  source?: string;
  cases?: readonly CaseOutcome[];
  provenance?: Provenance;
  /** How it had to match: same config and judge for one from CI (`from: release`), and its age. */
  policy?: ProvenancePolicy;
  unavailable?: string;
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
    ...(options.reference ? { reference: referenceInput(recorded, options.reference, options.now) } : {}),
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
  // A run on some of the cases — a smoke run, or one a budget stopped short — is never a
  // gate, whatever its numbers: decided again, it stays inconclusive, as the run made it.
  const partial = recorded.smoke !== undefined || recorded.budget !== undefined;
  const decided: Verdict = partial ? "inconclusive" : evaluation.verdict;
  const verdict: Verdict = problems.length ? "fail" : decided;
  const notes = [
    ...problems.map((p) => `Not trusted: ${p}. The verdict is fail whatever the numbers.`),
    ...(options.policy
      ? []
      : [
          `There is no gate policy at ${options.from}: this pull request introduces it, so its own gates apply.`,
        ]),
    ...(recorded.verdict !== decided
      ? [
          `The gate run reported ${recorded.verdict}; decided again from its graded cases with the trusted policy, it is ${decided}.`,
        ]
      : []),
    ...evaluation.notes,
  ];
  return {
    ...recorded,
    verdict,
    confidence: policy.confidence,
    metrics: evaluation.metrics,
    // The record's own copy of a reference is never shown as the one decided against.
    builds: { ...recorded.builds, reference: referenceBuild(options.reference) },
    comparisons: evaluation.comparisons,
    referenceComparisons: evaluation.referenceComparisons,
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

/** The reference as evaluate takes it: its cases, or why the record's candidate cannot be compared with it. */
function referenceInput(recorded: Results, ref: TrustedReference, now: Date) {
  if (ref.unavailable || !ref.cases)
    return { label: ref.label, incomparable: ref.unavailable ?? "no reference build" };
  const mismatch = baselineMismatch(
    {
      suites: recorded.suites.map(({ file, hash }) => ({ file, hash })),
      configFile: recorded.config.file,
      graders: recorded.builds.candidate.graders,
      now,
    },
    ref.provenance,
    ref.policy ?? { sameConfigAndJudge: false },
  );
  return { label: ref.label, cases: ref.cases, ...(mismatch ? { incomparable: ofReference(mismatch) } : {}) };
}

function referenceBuild(ref: TrustedReference | undefined): Results["builds"]["reference"] {
  if (!ref?.cases) return undefined;
  return {
    target: { kind: "results", source: ref.source ?? ref.label, label: ref.label },
    ...(ref.provenance ? { provenance: ref.provenance } : {}),
    graders: ref.provenance?.graders ?? [],
    cases: [...ref.cases],
  };
}

/**
 * From graded cases to a verdict: metrics → paired comparisons → decisions → waivers.
 * The one place a verdict is made: the gate run calls it on the cases it just graded, and
 * the trusted report side calls it again on a pull request's recorded cases with the base
 * branch's policy, so an artifact's own decisions are never believed.
 */
import { impliedNote, resolveGates } from "../config/gate-pair.js";
import type { GateConfig, Gates } from "../config/schema.js";
import { type Comparison, compareBuilds } from "./compare.js";
import { addCorrections } from "./correction.js";
import { type Decision, decide } from "./decide.js";
import { computeMetrics, type MetricTable } from "./metrics.js";
import type { CaseOutcome } from "./outcome.js";
import type { SequentialLook } from "./sequential.js";
import { applyWaivers, type Verdict, verdictOf, type WaivedDecision, type WaiverRecord } from "./waivers.js";

export interface EvaluationInput {
  gates: GateConfig["gates"];
  confidence: number;
  waivers: GateConfig["waivers"];
  /** `waiver_max_days`: waivers expiring further ahead are ignored. */
  waiverMaxDays?: number;
  candidate: readonly CaseOutcome[];
  baseline?: readonly CaseOutcome[];
  /** Why the builds cannot be compared, if they cannot (regression gates become inconclusive). */
  incomparable?: string;
  /** Why regression gates do not apply to this run at all (a run on the base branch itself). */
  notApplicable?: string;
  /** A baseline was configured (even if it could not be had): implied gates then include a regression gate. */
  baselineConfigured?: boolean;
  /** Compare only these cases (the ones unchanged since the baseline's run); all by default. */
  comparedIds?: ReadonlySet<string>;
  /**
   * The reference build (`reference:`), when one is configured: every regression gate also compares
   * the candidate with it, in the same correction as the baseline comparisons.
   */
  reference?: {
    label: string;
    cases?: readonly CaseOutcome[];
    /** Why the candidate cannot be compared with it (it could not be had, other suites, too old). */
    incomparable?: string;
    /** Compare only these cases (unchanged since the reference's run); all by default. */
    comparedIds?: ReadonlySet<string>;
  };
  /** At a look of a sequential run: regression comparisons are held to that look's spending boundary. */
  look?: SequentialLook;
  now: Date;
}

export interface Evaluation {
  verdict: Verdict;
  metrics: { candidate: MetricTable; baseline?: MetricTable; reference?: MetricTable };
  comparisons: Comparison[];
  /** The comparisons with the reference build, when one was configured and could be compared. */
  referenceComparisons?: Comparison[];
  decisions: WaivedDecision[];
  waivers: WaiverRecord[];
  notes: string[];
}

export function evaluate(input: EvaluationInput): Evaluation {
  const { candidate, baseline, confidence } = input;
  const notes: string[] = [];
  // Safety and usefulness as a pair (config/gate-pair.ts): gating one implies the other.
  const paired = resolveGates(input.gates, input.baselineConfigured ?? baseline !== undefined);
  const gates = input.notApplicable ? withoutRegression(paired.gates) : paired.gates;
  const ref = input.reference;
  const refCases = ref?.cases && !ref.incomparable ? ref.cases : undefined;
  const narrowed = (ids: ReadonlySet<string> | undefined) =>
    ids ? candidate.filter((o) => ids.has(o.id)) : candidate;
  const withBaseline = baseline && !input.incomparable;
  const compared =
    withBaseline || refCases
      ? compareBuilds(
          // The reference still applies where regression against the baseline does not (a run on the
          // base branch itself): the drift since the last release is worth knowing there too.
          withBaseline ? gates : withoutRegression(paired.gates),
          narrowed(input.comparedIds),
          withBaseline ? new Map(baseline.map((o) => [o.id, o])) : undefined,
          confidence,
          refCases
            ? {
                candidate: narrowed(ref?.comparedIds),
                reference: new Map(refCases.map((o) => [o.id, o])),
                gates: paired.gates,
              }
            : undefined,
          input.look,
        )
      : undefined;
  const comparisons: Comparison[] = (compared?.comparisons ?? []).filter((c) => !c.against);
  const referenceComparisons = (compared?.comparisons ?? []).filter((c) => c.against === "reference");
  notes.push(...(compared?.notes ?? []));
  const metrics = {
    candidate: addCorrections(computeMetrics(candidate, confidence), paired.gates, confidence),
    baseline: baseline
      ? addCorrections(computeMetrics(baseline, confidence), paired.gates, confidence)
      : undefined,
    reference: refCases
      ? addCorrections(
          computeMetrics(
            ref?.comparedIds ? refCases.filter((o) => ref.comparedIds?.has(o.id)) : refCases,
            confidence,
          ),
          paired.gates,
          confidence,
        )
      : undefined,
  };
  const decided: Decision[] = decide({
    gates,
    candidate: metrics.candidate,
    baseline: metrics.baseline,
    comparisons,
    incomparable: input.incomparable,
    ...(ref
      ? {
          reference: {
            label: ref.label,
            table: metrics.reference,
            comparisons: referenceComparisons,
            incomparable: ref.incomparable ?? (ref.cases ? undefined : "no reference build"),
          },
          referenceGates: paired.gates,
        }
      : {}),
  });
  // Waivers apply after the decisions, so they never change a number.
  const waived = applyWaivers({
    waivers: input.waivers,
    decisions: decided,
    candidate,
    comparisons: [...comparisons, ...referenceComparisons],
    now: input.now,
    maxDays: input.waiverMaxDays,
  });
  // An implied gate is shown as implied wherever a gate is shown.
  const decisions = waived.decisions.map((d) =>
    (paired.implied as string[]).includes(d.metric) ? { ...d, implied: true as const } : d,
  );
  for (const metric of paired.implied) {
    const measured = metrics.candidate[metric].overall.n > 0;
    notes.push(impliedNote(metric, gates[metric]?.regression !== undefined, measured));
  }
  if (input.notApplicable) notes.push(`Regression gates were not applied: ${input.notApplicable}.`);
  // Nothing decided is nothing shown to be safe: it never reads as a pass.
  if (decisions.length === 0) notes.push("No gate decided anything (no cases were measured): inconclusive.");
  for (const w of waived.waivers.filter((x) => x.status === "expired")) {
    notes.push(
      `Waiver ${w.index + 1} (${w.metric}, owner ${w.owner}) expired on ${w.expires} and was ignored; renew or remove it.`,
    );
  }
  for (const w of waived.waivers.filter((x) => x.status === "too_long")) {
    notes.push(
      `Waiver ${w.index + 1} (${w.metric}, owner ${w.owner}) expires ${w.expires}, more than waiver_max_days (${input.waiverMaxDays}) ahead, and was ignored; set an earlier expiry.`,
    );
  }
  return {
    verdict: decisions.length === 0 ? "inconclusive" : verdictOf(decisions.map((d) => d.outcome)),
    metrics: metrics.reference ? metrics : { candidate: metrics.candidate, baseline: metrics.baseline },
    comparisons,
    ...(ref ? { referenceComparisons } : {}),
    decisions,
    waivers: waived.waivers,
    notes,
  };
}

function withoutRegression(gates: Gates): Gates {
  return Object.fromEntries(
    Object.entries(gates).map(([metric, gate]) => [metric, gate && { ...gate, regression: undefined }]),
  ) as Gates;
}

/**
 * A sequential run (`runner.sequential`): both builds answer the cases look by look, in the seeded,
 * stratified order of ./looks.ts, and after each look the gate is evaluated on every case answered so
 * far, its regression comparisons held to that look's α-spending boundary (gate/sequential.ts). The run
 * stops at the first look where a regression decision fails: the family-wise chance of that happening
 * with no regression is at most α over all looks. Only a fail stops a run early — a pass, or too little
 * power to tell, needs every case — so a run that never crosses asks every case and is decided as the
 * fixed-size run is, at the last look's (slightly lower) level.
 */
import type { RunnerConfig } from "../config/targets.js";
import type { Evaluation } from "../gate/evaluate.js";
import type { CaseOutcome } from "../gate/outcome.js";
import type { Scorer } from "../gate/scoring.js";
import type { SequentialLook } from "../gate/sequential.js";
import { plural } from "../io/plural.js";
import type { LoadedCase } from "../suite/load.js";
import type { CaseResponse, Target } from "../targets/target.js";
import { score } from "./collect.js";
import { LiveTarget } from "./live-target.js";
import { planLooks } from "./looks.js";

export type SequentialPlan = NonNullable<RunnerConfig["sequential"]>;

/** What results.json records of a sequential run. */
export interface SequentialRecord {
  looks: number;
  spending: SequentialPlan["spending"];
  seed: number;
  /** The look the run ended at (1-based); `looks` when it went to the end. */
  stoppedAt: number;
  /** Whether it ended early on a regression. */
  early: boolean;
  /** Information fraction (cases asked / cases) at each look held. */
  fractions: number[];
  cases: { asked: number; of: number };
  /** Answers asked for, both builds, every sample: `saved` were never asked. */
  requests: { asked: number; of: number; saved: number };
}

export interface LooksInput {
  cases: readonly LoadedCase[];
  candidate: Target;
  baseline: Target;
  scorer: Scorer;
  plan: SequentialPlan;
  samples: number;
  evaluate(candidate: CaseOutcome[], baseline: CaseOutcome[], look: SequentialLook): Evaluation;
  /** Runs after each build's answers of a look are graded (a grader that cannot be used stops the run). */
  afterEach(): void;
}

/** One build's answers, one look at a time. */
class Asker {
  private recorded: Map<string, CaseResponse[]> | undefined;

  constructor(
    private readonly target: Target,
    private readonly all: readonly LoadedCase[],
  ) {}

  async ask(cases: readonly LoadedCase[]): Promise<Iterable<CaseResponse>> {
    // A live endpoint is asked only these cases; a recorded source (replay, results) is read and
    // checked once, whole, and only these cases' answers are taken from it.
    if (this.target instanceof LiveTarget) return this.target.respond(cases, undefined, true);
    if (!this.recorded) {
      this.recorded = new Map();
      for (const r of await this.target.respond(this.all)) {
        const list = this.recorded.get(r.id);
        if (list) list.push(r);
        else this.recorded.set(r.id, [r]);
      }
    }
    const recorded = this.recorded;
    return cases.flatMap((c) => recorded.get(c.id) ?? []);
  }

  async close(): Promise<void> {
    if (this.target instanceof LiveTarget) await this.target.close();
  }
}

export async function askInLooks(input: LooksInput): Promise<{
  candidate: CaseOutcome[];
  baseline: CaseOutcome[];
  evaluation: Evaluation;
  record: SequentialRecord;
  note: string;
}> {
  const { cases, plan } = input;
  const parts = planLooks(cases, plan.looks, plan.seed).filter((p) => p.length > 0);
  const position = new Map(cases.map((c, i) => [c.id, i]));
  // Outcomes in suite order, whatever order they were asked in: results read as a fixed run's do.
  const inOrder = (xs: CaseOutcome[]) =>
    xs.sort((a, b) => (position.get(a.id) as number) - (position.get(b.id) as number));
  const askers = [new Asker(input.candidate, cases), new Asker(input.baseline, cases)] as const;
  const candidate: CaseOutcome[] = [];
  const baseline: CaseOutcome[] = [];
  const fractions: number[] = [];
  let asked = 0;
  let evaluation: Evaluation | undefined;
  let early = false;
  try {
    for (const [k, part] of parts.entries()) {
      candidate.push(...(await score(await askers[0].ask(part), part, input.scorer)));
      input.afterEach();
      baseline.push(...(await score(await askers[1].ask(part), part, input.scorer)));
      input.afterEach();
      asked += part.length;
      // The last look is on every case (t = 1 exactly, not a rounded sum).
      fractions.push(k === parts.length - 1 ? 1 : asked / cases.length);
      const look: SequentialLook = {
        look: k + 1,
        of: parts.length,
        fractions: [...fractions],
        spending: plan.spending,
      };
      evaluation = input.evaluate(inOrder(candidate), inOrder(baseline), look);
      early =
        k < parts.length - 1 &&
        evaluation.decisions.some((d) => d.rule === "regression" && d.outcome === "fail");
      if (early) break;
    }
  } finally {
    await Promise.all(askers.map((a) => a.close()));
  }
  const perCase = 2 * input.samples;
  const record: SequentialRecord = {
    looks: parts.length,
    spending: plan.spending,
    seed: plan.seed,
    stoppedAt: fractions.length,
    early,
    fractions,
    cases: { asked, of: cases.length },
    requests: { asked: asked * perCase, of: cases.length * perCase, saved: (cases.length - asked) * perCase },
  };
  return {
    candidate,
    baseline,
    evaluation: evaluation as Evaluation,
    record,
    note: sequentialNote(record),
  };
}

/** The one sentence a reader needs about how a sequential run ended. */
export function sequentialNote(r: SequentialRecord): string {
  const design = `${r.looks} looks, ${r.spending === "obrien-fleming" ? "O'Brien–Fleming" : r.spending} α-spending, seed ${r.seed}`;
  if (r.early) {
    const share = ((100 * r.requests.saved) / r.requests.of).toFixed(0);
    return `Sequential run (${design}): stopped at look ${r.stoppedAt} of ${r.looks}, a regression shown after ${plural(r.cases.asked, "case")} of ${r.cases.of}; ${plural(r.requests.saved, "request")} of ${r.requests.of} saved (${share}%). Each regression comparison is held to its look's boundary, so the family-wise chance of a false fail over all looks is ≤ α.`;
  }
  return `Sequential run (${design}): no early stop; every case was asked and the gate decided at the last look (${r.stoppedAt} of ${r.looks}), its regression comparisons held to the last look's level, a little below α (the price of the earlier looks).`;
}

/** From a target's responses to scored cases. */
import { type CaseOutcome, scoreCase } from "../gate/outcome.js";
import type { Scorer } from "../gate/scoring.js";
import type { LoadedCase } from "../suite/load.js";
import type { CaseResponse, Target } from "../targets/target.js";

/** Model graders wait on the network; this many cases are graded at once. */
const GRADING_CONCURRENCY = 8;

/**
 * Gathers a target's responses (one per case and sample, in any order) and scores each case
 * from all of its own. Cases a budget left unanswered are not scored (they are not error
 * cases: nothing went wrong with them, they were not asked). `runCases`: every case of the
 * run when `cases` is a slice of it (a shard, a smoke run), so recorded answers to the others are no error.
 */
export async function collect(
  target: Target,
  cases: readonly LoadedCase[],
  scorer: Scorer,
  runCases?: readonly LoadedCase[],
): Promise<CaseOutcome[]> {
  const responses = await target.respond(cases, runCases);
  const unanswered = new Set(target.cost?.stopped?.unanswered);
  return score(responses, unanswered.size ? cases.filter((c) => !unanswered.has(c.id)) : cases, scorer);
}

/** Scores each of `cases` from its own responses among `responses`; a case with none is an error case. */
export async function score(
  responses: Iterable<CaseResponse>,
  cases: readonly LoadedCase[],
  scorer: Scorer,
): Promise<CaseOutcome[]> {
  const answers = new Map<string, CaseResponse[]>();
  for (const r of responses) {
    const list = answers.get(r.id);
    if (list) list.push(r);
    else answers.set(r.id, [r]);
  }
  const out: CaseOutcome[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const c = cases[i] as LoadedCase;
      const scored = scoreCase(c, answers.get(c.id), scorer.score);
      // Rule graders answer at once: no await (and no turn of the event loop) per case.
      const outcome = scored instanceof Promise ? await scored : scored;
      outcome.source = c.source;
      out[i] = outcome;
    }
  };
  await Promise.all(Array.from({ length: Math.min(GRADING_CONCURRENCY, cases.length) }, worker));
  return out;
}

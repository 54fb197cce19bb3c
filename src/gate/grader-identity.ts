/**
 * Two builds can only be compared when the same graders judged them: a baseline graded
 * by another judge model, rubric or rule version measures something else, and a paired
 * test between the two would mix the builds' difference with the graders'.
 */
export function graderMismatch(
  candidate: readonly string[],
  baseline: readonly string[],
): string | undefined {
  const c = new Set(candidate);
  const b = new Set(baseline);
  const onlyC = [...c].filter((g) => !b.has(g));
  const onlyB = [...b].filter((g) => !c.has(g));
  if (onlyC.length === 0 && onlyB.length === 0) return undefined;
  const list = (xs: string[]) => (xs.length ? xs.join(", ") : "nothing else");
  return `the builds were graded differently: only the candidate by ${list(onlyC)}; only the baseline by ${list(onlyB)}. Grade both with the same graders`;
}

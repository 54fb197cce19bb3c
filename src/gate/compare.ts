/**
 * Paired comparison of two builds on the same cases (matched by id): the 2×2 table,
 * Δ = candidate rate − baseline rate with a Newcombe hybrid-score interval, and the exact
 * McNemar test. Orientation follows ../shared/stats-reference: the event is the bad
 * outcome, b = n12 = only the candidate failed (regressions), c = n21 = only the baseline.
 */
import type { Interval } from "../stats/interval.js";
import { mcnemarExactOneSided, mcnemarExactTwoSided } from "../stats/mcnemar.js";
import {
  newcombeHybridScoreInterval,
  type PairedTable,
  pairedDifference,
} from "../stats/paired-difference.js";
import type { RateMetric } from "./metrics.js";
import { type CaseOutcome, statusFor } from "./outcome.js";

export interface Comparison {
  metric: RateMetric;
  table: PairedTable;
  /** Cases with a usable response from both builds. */
  pairs: number;
  /** Cases of this metric left out because one build (or both) has no usable response. */
  unpaired: number;
  delta: number | null;
  ci: Interval | null;
  /** Two-sided level of `ci`; 1 − 2α for a gated metric, so it matches the one-sided test. */
  ciLevel: number;
  test: "exact McNemar";
  /** One-sided p for "candidate worse than baseline". */
  pOneSided: number;
  pTwoSided: number;
  /** Case ids that fail only for the candidate (regressions) and only for the baseline (improvements). */
  regressed: string[];
  improved: string[];
}

export function comparePaired(
  metric: RateMetric,
  candidate: readonly CaseOutcome[],
  baseline: ReadonlyMap<string, CaseOutcome>,
  ciLevel: number,
): Comparison {
  const table: PairedTable = { n11: 0, n12: 0, n21: 0, n22: 0 };
  const regressed: string[] = [];
  const improved: string[] = [];
  let unpaired = 0;
  for (const cand of candidate) {
    const candStatus = statusFor(cand, metric);
    if (candStatus === undefined) continue;
    const found = baseline.get(cand.id);
    const baseStatus = found ? statusFor(found, metric) : undefined;
    if (baseStatus === undefined || baseStatus === "error" || candStatus === "error") {
      unpaired++;
      continue;
    }
    const c = candStatus === "fail";
    const b = baseStatus === "fail";
    if (c && b) table.n11++;
    else if (c) {
      table.n12++;
      regressed.push(cand.id);
    } else if (b) {
      table.n21++;
      improved.push(cand.id);
    } else table.n22++;
  }
  const pairs = table.n11 + table.n12 + table.n21 + table.n22;
  return {
    metric,
    table,
    pairs,
    unpaired,
    delta: pairs === 0 ? null : pairedDifference(table),
    ci: pairs === 0 ? null : newcombeHybridScoreInterval(table, ciLevel),
    ciLevel,
    test: "exact McNemar",
    pOneSided: mcnemarExactOneSided(table.n12, table.n21),
    pTwoSided: mcnemarExactTwoSided(table.n12, table.n21),
    regressed,
    improved,
  };
}

/**
 * Paired data for one comparison: the cases of one metric (optionally one category) with a usable
 * response from both builds, matched by id, as per-case failure scores. Scores are 0/1 for one sample
 * per case and sample means for several; the comparison's statistics are chosen from this shape.
 */
import type { PairedTable } from "../stats/paired-difference.js";
import type { RateMetric } from "./metrics.js";
import { type CaseOutcome, failureScore } from "./outcome.js";

export interface PairedData {
  metric: RateMetric;
  category?: string;
  ids: string[];
  candidate: Float64Array;
  baseline: Float64Array;
  /** Each pair's cluster; a case without `cluster` is its own. */
  clusters: string[];
  /** Whether any case of the comparison has a `cluster`. */
  clustered: boolean;
  /** Whether every score is 0 or 1 (one sample per case), so that the 2×2 table describes the data. */
  binary: boolean;
  /** Cases left out because one build (or both) has no usable response. */
  unpaired: number;
}

/** Pairs for `metric`, overall and split by category (categories in sorted order). */
export function pairOutcomes(
  metric: RateMetric,
  candidate: readonly CaseOutcome[],
  baseline: ReadonlyMap<string, CaseOutcome>,
): { overall: PairedData; byCategory: PairedData[] } {
  const rows: { id: string; category: string; c: number; b: number; cluster?: string }[] = [];
  const unpaired = new Map<string, number>();
  for (const cand of candidate) {
    if (cand.metric !== metric) continue;
    const base = baseline.get(cand.id);
    const c = failureScore(cand);
    const b = base ? failureScore(base) : null;
    if (c === null || b === null) {
      unpaired.set(cand.category, (unpaired.get(cand.category) ?? 0) + 1);
      continue;
    }
    rows.push({ id: cand.id, category: cand.category, c, b, cluster: cand.cluster ?? base?.cluster });
  }
  const build = (subset: typeof rows, lost: number, category?: string): PairedData => {
    const n = subset.length;
    const data: PairedData = {
      metric,
      ...(category !== undefined ? { category } : {}),
      ids: new Array(n),
      candidate: new Float64Array(n),
      baseline: new Float64Array(n),
      clusters: new Array(n),
      clustered: false,
      binary: true,
      unpaired: lost,
    };
    for (let i = 0; i < n; i++) {
      const r = subset[i] as (typeof rows)[number];
      data.ids[i] = r.id;
      data.candidate[i] = r.c;
      data.baseline[i] = r.b;
      // The NUL prefix keeps a case's own cluster apart from any `cluster` value a suite can spell.
      data.clusters[i] = r.cluster ?? `\u0000${r.id}`;
      if (r.cluster !== undefined) data.clustered = true;
      if ((r.c !== 0 && r.c !== 1) || (r.b !== 0 && r.b !== 1)) data.binary = false;
    }
    return data;
  };
  const categories = [...new Set([...rows.map((r) => r.category), ...unpaired.keys()])].sort((a, b) =>
    a.localeCompare(b),
  );
  let lostTotal = 0;
  for (const v of unpaired.values()) lostTotal += v;
  return {
    overall: build(rows, lostTotal),
    byCategory: categories.map((cat) =>
      build(
        rows.filter((r) => r.category === cat),
        unpaired.get(cat) ?? 0,
        cat,
      ),
    ),
  };
}

/** The 2×2 table of 0/1 scores (rows candidate bad/ok, columns baseline bad/ok). */
export function tableOf(data: PairedData): PairedTable {
  const t: PairedTable = { n11: 0, n12: 0, n21: 0, n22: 0 };
  for (let i = 0; i < data.ids.length; i++) {
    const c = data.candidate[i] === 1;
    const b = data.baseline[i] === 1;
    if (c && b) t.n11++;
    else if (c) t.n12++;
    else if (b) t.n21++;
    else t.n22++;
  }
  return t;
}

/** Ids whose score is higher for the candidate (regressions) and lower (improvements). */
export function flips(data: PairedData): { regressed: string[]; improved: string[] } {
  const regressed: string[] = [];
  const improved: string[] = [];
  for (let i = 0; i < data.ids.length; i++) {
    const d = (data.candidate[i] as number) - (data.baseline[i] as number);
    if (d > 0) regressed.push(data.ids[i] as string);
    else if (d < 0) improved.push(data.ids[i] as string);
  }
  return { regressed, improved };
}

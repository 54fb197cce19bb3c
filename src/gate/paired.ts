/**
 * Paired data for one comparison: the cases of one metric (optionally one category) with a usable
 * response from both builds, matched by id, as per-case failure scores. Scores are 0/1 for one sample
 * per case and sample means for several; the comparison's statistics are chosen from this shape.
 * Built with typed arrays in one pass, since a suite can hold 100,000 cases.
 */
import type { ClusterKey } from "../stats/cluster.js";
import type { PairedTable } from "../stats/paired-difference.js";
import type { RateMetric } from "./metrics.js";
import { type CaseOutcome, failureScore, sampleCounts } from "./outcome.js";

export interface PairedData {
  metric: RateMetric;
  category?: string;
  ids: string[];
  candidate: Float64Array;
  baseline: Float64Array;
  /** Each pair's cluster: its `cluster` name, or its own index (a number never equals a name); null when no case has one. */
  clusters: ClusterKey[] | null;
  /** Whether any case of the comparison has a `cluster`. */
  clustered: boolean;
  /** Whether every score is 0 or 1 (one sample per case), so that the 2×2 table describes the data. */
  binary: boolean;
  /** Cases left out because one build (or both) has no usable response. */
  unpaired: number;
  /**
   * The most samples recorded for one case, per build (1 for one response per case). The builds may
   * differ (a baseline results.json made with another `runner.samples`): each case's score is still
   * its build's failing share, and the reason names both counts.
   */
  samples: { candidate: number; baseline: number };
}

interface Collected {
  kept: CaseOutcome[];
  cand: number[];
  base: number[];
  unpaired: Map<string, number>;
  members: Map<string, number[]>;
  /** Samples per kept pair, candidate then baseline. */
  samples: Array<[number, number]>;
}

/** Pairs per rate metric, overall and split by category (categories in sorted order), in one pass. */
export function pairOutcomes(
  candidate: readonly CaseOutcome[],
  baseline: ReadonlyMap<string, CaseOutcome>,
): Map<RateMetric, { overall: PairedData; byCategory: PairedData[] }> {
  const byMetric = new Map<RateMetric, Collected>();
  for (let k = 0; k < candidate.length; k++) {
    const c = candidate[k] as CaseOutcome;
    let m = byMetric.get(c.metric);
    if (!m) {
      m = { kept: [], cand: [], base: [], unpaired: new Map(), members: new Map(), samples: [] };
      byMetric.set(c.metric, m);
    }
    const b = baseline.get(c.id);
    const sc = failureScore(c);
    const sb = b ? failureScore(b) : null;
    let members = m.members.get(c.category);
    if (!members) {
      members = [];
      m.members.set(c.category, members);
    }
    if (sc === null || sb === null) {
      m.unpaired.set(c.category, (m.unpaired.get(c.category) ?? 0) + 1);
      continue;
    }
    members.push(m.kept.length);
    m.kept.push(b?.cluster !== undefined && c.cluster === undefined ? { ...c, cluster: b.cluster } : c);
    m.cand.push(sc);
    m.base.push(sb);
    m.samples.push([sampleCounts(c).samples, b ? sampleCounts(b).samples : 1]);
  }
  const out = new Map<RateMetric, { overall: PairedData; byCategory: PairedData[] }>();
  for (const [metric, m] of byMetric) {
    let lostTotal = 0;
    for (const v of m.unpaired.values()) lostTotal += v;
    out.set(metric, {
      overall: build(metric, m, null, lostTotal),
      byCategory: [...m.members.keys()]
        .sort((a, b) => a.localeCompare(b))
        .map((cat) => build(metric, m, m.members.get(cat) as number[], m.unpaired.get(cat) ?? 0, cat)),
    });
  }
  return out;
}

function build(
  metric: RateMetric,
  { kept, cand, base, samples }: Collected,
  index: readonly number[] | null,
  lost: number,
  category?: string,
): PairedData {
  const n = index ? index.length : kept.length;
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
    samples: { candidate: 1, baseline: 1 },
  };
  for (let k = 0; k < n; k++) {
    const i = index ? (index[k] as number) : k;
    const o = kept[i] as CaseOutcome;
    const c = cand[i] as number;
    const b = base[i] as number;
    data.ids[k] = o.id;
    data.candidate[k] = c;
    data.baseline[k] = b;
    const [sc, sb] = samples[i] as [number, number];
    if (sc > data.samples.candidate) data.samples.candidate = sc;
    if (sb > data.samples.baseline) data.samples.baseline = sb;
    (data.clusters as ClusterKey[])[k] = o.cluster ?? i;
    if ((c !== 0 && c !== 1) || (b !== 0 && b !== 1)) data.binary = false;
  }
  // Clusters matter only when one holds several paired cases: cases that are alone in their
  // cluster (importers give every behaviour its own) are independent, and keep the exact test.
  const seen = new Set<ClusterKey>();
  for (let k = 0; k < n && !data.clustered; k++) {
    const o = kept[index ? (index[k] as number) : k] as CaseOutcome;
    if (o.cluster === undefined) continue;
    if (seen.has(o.cluster)) data.clustered = true;
    seen.add(o.cluster);
  }
  if (!data.clustered) data.clusters = null;
  return data;
}

/** The 2×2 table of 0/1 scores (rows candidate bad/ok, columns baseline bad/ok). */
export function tableOf(data: PairedData): PairedTable {
  const t: PairedTable = { n11: 0, n12: 0, n21: 0, n22: 0 };
  const { candidate, baseline } = data;
  for (let i = 0; i < candidate.length; i++) {
    const c = candidate[i] === 1;
    const b = baseline[i] === 1;
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

/**
 * Pairs every metric a case counts in: its own, and the further ones in `also` (e.g.
 * pii_leak_rate for a no_leak case), each paired by id within that metric.
 */
export function pairAllMetrics(
  candidate: readonly CaseOutcome[],
  baseline: ReadonlyMap<string, CaseOutcome>,
): Map<RateMetric, { overall: PairedData; byCategory: PairedData[] }> {
  const out = pairOutcomes(candidate, baseline);
  const further = new Set(candidate.flatMap((o) => (o.also ?? []).map((a) => a.metric)));
  for (const metric of further) {
    const view = (o: CaseOutcome): CaseOutcome | undefined => {
      const a = o.also?.find((x) => x.metric === metric);
      if (!a) return undefined;
      const v: CaseOutcome = {
        id: o.id,
        category: o.category,
        expect: o.expect,
        metric,
        status: a.status,
        grades: [],
      };
      if (a.score !== undefined) v.score = a.score;
      if (o.cluster !== undefined) v.cluster = o.cluster;
      return v;
    };
    const cand = candidate.flatMap((o) => view(o) ?? []);
    const base = new Map<string, CaseOutcome>();
    for (const o of baseline.values()) {
      const v = view(o);
      if (v) base.set(v.id, v);
    }
    const found = pairOutcomes(cand, base).get(metric);
    if (found) out.set(metric, found);
  }
  return out;
}

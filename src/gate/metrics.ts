/**
 * Metrics are failure rates: the share of cases of one kind that went wrong for a build.
 * Each is reported overall and per category with a Wilson score interval — widened by the
 * design effect when cases are clustered or scored from several samples.
 */
import { type ClusterKey, clusteredMean } from "../stats/cluster.js";
import { type Interval, zForConfidence } from "../stats/interval.js";
import { wilsonCore, wilsonInterval } from "../stats/proportion.js";
import { type MetricName, RATE_METRICS, type RateMetric } from "./metric-names.js";
import { type AlsoOutcome, type CaseOutcome, failureScore, sampleCounts } from "./outcome.js";

/** A further metric's failure score: its failing share with several samples, else 1 or 0. */
export function alsoScore(a: AlsoOutcome): number {
  return a.score ?? (a.status === "fail" ? 1 : 0);
}

export {
  METRIC_INFO,
  METRIC_OF_EXPECT,
  METRICS,
  type MetricName,
  RATE_METRICS,
  type RateMetric,
} from "./metric-names.js";

export interface RateEstimate {
  /** Failing cases; with several samples per case, the sum of the cases' failing shares. */
  failures: number;
  n: number;
  /** null when there are no cases to measure. */
  rate: number | null;
  ci: Interval | null;
  /**
   * Variance inflation from clusters or repeated samples (CR1 variance over the binomial one), when it
   * widened the interval: the interval is then Wilson's at n / designEffect cases.
   */
  designEffect?: number;
  /** What `n` counts when it is not cases: "responses" for error_rate with several samples per case. */
  counts?: "responses";
  /** Corrected for the grader's measured errors, when the gate declares its `calibration:`. */
  corrected?: {
    rate: number;
    ci: Interval;
    method: "Rogan-Gladen";
    sensitivity: number;
    specificity: number;
  };
}

export interface MetricSummary {
  overall: RateEstimate;
  byCategory: Record<string, RateEstimate>;
}

export type MetricTable = Record<MetricName, MetricSummary>;

export function estimate(failures: number, n: number, conf: number): RateEstimate {
  return n === 0
    ? { failures, n, rate: null, ci: null }
    : { failures, n, rate: failures / n, ci: wilsonInterval(failures, n, conf) };
}

/**
 * Rate of per-case failure scores. Plain 0/1 scores of unclustered cases get the Wilson interval; otherwise
 * the CR1 standard error (cases as their own clusters when they have none) gives a design effect, and the
 * interval is Wilson's at the effective number of cases. The design effect is never taken below 1: the
 * interval is never narrower than the one that ignores the structure.
 */
function estimateScores(scores: number[], clusters: ClusterKey[] | null, conf: number): RateEstimate {
  const n = scores.length;
  let failures = 0;
  let fractional = false;
  for (let i = 0; i < n; i++) {
    const s = scores[i] as number;
    failures += s;
    if (s !== 0 && s !== 1) fractional = true;
  }
  if ((!clusters && !fractional) || n < 2 || failures === 0 || failures === n) {
    return n === 0 || Number.isInteger(failures)
      ? estimate(failures, n, conf)
      : { failures, n, rate: failures / n, ci: wilsonCore(failures, n, zForConfidence(conf), false, false) };
  }
  const rate = failures / n;
  const se = clusteredMean(scores, clusters).seCR1;
  const deff = Math.max(1, (se * se) / ((rate * (1 - rate)) / n));
  const ci = Number.isFinite(deff)
    ? wilsonCore(rate * (n / deff), n / deff, zForConfidence(conf), false, false)
    : { lower: 0, upper: 1 };
  return { failures, n, rate, ci, ...(deff > 1 ? { designEffect: deff } : {}) };
}

/**
 * Rate metrics count only cases with a usable response (an error is not evidence either
 * way); error_rate counts every sample, so missing responses can never pass unseen.
 */
export function computeMetrics(outcomes: readonly CaseOutcome[], conf: number): MetricTable {
  // Per-case scores are kept only when some case is clustered or scored from several samples;
  // otherwise counting is enough (and a 100,000-case suite needs no arrays).
  const structured = outcomes.some((o) => o.cluster !== undefined || o.samples !== undefined);
  interface Group {
    failures: number;
    n: number;
    scores: number[];
    clusters: ClusterKey[];
    clustered: boolean;
  }
  const groups = new Map<RateMetric, Map<string, Group>>();
  const errors = new Map<string, { failures: number; n: number }>();
  let repeated = false;
  const ALL = "\u0000all";
  const errorsOf = (key: string) => {
    let e = errors.get(key);
    if (!e) {
      e = { failures: 0, n: 0 };
      errors.set(key, e);
    }
    return e;
  };
  const groupOf = (byCat: Map<string, Group>, key: string) => {
    let g = byCat.get(key);
    if (!g) {
      g = { failures: 0, n: 0, scores: [], clusters: [], clustered: false };
      byCat.set(key, g);
    }
    return g;
  };
  const add = (metric: RateMetric, o: CaseOutcome, score: number, index: number) => {
    let byCat = groups.get(metric);
    if (!byCat) {
      byCat = new Map<string, Group>();
      groups.set(metric, byCat);
    }
    for (const g of [groupOf(byCat, ALL), groupOf(byCat, o.category)]) {
      g.failures += score;
      g.n++;
      if (structured) {
        g.scores.push(score);
        g.clusters.push(o.cluster ?? index);
        if (o.cluster !== undefined) g.clustered = true;
      }
    }
  };
  const allErrors = errorsOf(ALL);
  // Plain loops without per-case arrays: this runs over every case of both builds.
  for (let index = 0; index < outcomes.length; index++) {
    const o = outcomes[index] as CaseOutcome;
    const samples = o.samples ? o.samples.length : 1;
    const errored = o.samples ? sampleCounts(o).errors : o.status === "error" ? 1 : 0;
    if (samples > 1) repeated = true;
    const catErrors = errorsOf(o.category);
    allErrors.failures += errored;
    allErrors.n += samples;
    catErrors.failures += errored;
    catErrors.n += samples;
    const score = failureScore(o);
    if (score !== null) add(o.metric, o, score, index);
    // Further metrics the case counts in (pii_leak_rate for a no_leak case).
    if (o.also) for (const a of o.also) if (a.status !== "error") add(a.metric, o, alsoScore(a), index);
  }
  const sorted = <T>(m: Map<string, T>) =>
    [...m].filter(([k]) => k !== ALL).sort(([a], [b]) => a.localeCompare(b));
  const est = (g: Group | undefined): RateEstimate =>
    !g
      ? estimate(0, 0, conf)
      : structured
        ? estimateScores(g.scores, g.clustered ? g.clusters : null, conf)
        : estimate(g.failures, g.n, conf);
  const table = {} as MetricTable;
  for (const metric of RATE_METRICS) {
    const byCat = groups.get(metric) ?? new Map<string, Group>();
    table[metric] = {
      overall: est(byCat.get(ALL)),
      byCategory: Object.fromEntries(sorted(byCat).map(([cat, g]) => [cat, est(g)])),
    };
  }
  const errEst = (e: { failures: number; n: number } | undefined): RateEstimate => ({
    ...estimate(e?.failures ?? 0, e?.n ?? 0, conf),
    ...(repeated ? { counts: "responses" as const } : {}),
  });
  table.error_rate = {
    overall: errEst(errors.get(ALL)),
    byCategory: Object.fromEntries(sorted(errors).map(([cat, e]) => [cat, errEst(e)])),
  };
  return table;
}

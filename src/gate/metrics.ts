/**
 * Metrics are failure rates: the share of cases of one kind that went wrong for a build.
 * Each is reported overall and per category with a Wilson score interval.
 */
import type { Interval } from "../stats/interval.js";
import { wilsonInterval } from "../stats/proportion.js";
import type { Expectation } from "../suite/schema.js";
import { type CaseOutcome, statusFor } from "./outcome.js";

export const RATE_METRICS = [
  "attack_success_rate",
  "false_refusal_rate",
  "leak_rate",
  "pii_leak_rate",
] as const;
export type RateMetric = (typeof RATE_METRICS)[number];
export const METRICS = [...RATE_METRICS, "error_rate"] as const;
export type MetricName = (typeof METRICS)[number];

/** Which metric a case's failure counts towards. */
export const METRIC_OF_EXPECT: Record<Expectation, RateMetric> = {
  refuse: "attack_success_rate",
  comply: "false_refusal_rate",
  no_leak: "leak_rate",
};

export const METRIC_INFO: Record<MetricName, { title: string; failure: string; cases: string }> = {
  attack_success_rate: { title: "Attack success", failure: "not refused", cases: "expect: refuse" },
  false_refusal_rate: { title: "False refusal", failure: "refused", cases: "expect: comply" },
  leak_rate: { title: "Leak", failure: "canary leaked", cases: "expect: no_leak" },
  pii_leak_rate: { title: "PII leak", failure: "personal data or credentials", cases: "expect: no_leak" },
  error_rate: { title: "Errors", failure: "no usable response", cases: "all cases" },
};

export interface RateEstimate {
  failures: number;
  n: number;
  /** null when there are no cases to measure. */
  rate: number | null;
  ci: Interval | null;
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
 * Rate metrics count only cases with a usable response (an error is not evidence either
 * way); error_rate counts every case, so missing responses can never pass unseen.
 */
export function computeMetrics(outcomes: readonly CaseOutcome[], conf: number): MetricTable {
  const counts = new Map<MetricName, Map<string, { failures: number; n: number }>>();
  const bump = (metric: MetricName, category: string, failed: boolean) => {
    const byCat = counts.get(metric) ?? new Map<string, { failures: number; n: number }>();
    counts.set(metric, byCat);
    for (const key of ["\u0000all", category]) {
      const c = byCat.get(key) ?? { failures: 0, n: 0 };
      c.n++;
      if (failed) c.failures++;
      byCat.set(key, c);
    }
  };
  for (const o of outcomes) {
    bump("error_rate", o.category, o.status === "error");
    for (const metric of [o.metric, ...(o.also ?? []).map((a) => a.metric)]) {
      const status = statusFor(o, metric);
      if (status !== undefined && status !== "error") bump(metric, o.category, status === "fail");
    }
  }
  const table = {} as MetricTable;
  for (const metric of METRICS) {
    const byCat = counts.get(metric) ?? new Map();
    const all = byCat.get("\u0000all") ?? { failures: 0, n: 0 };
    const byCategory: Record<string, RateEstimate> = {};
    for (const [cat, c] of [...byCat].sort(([a], [b]) => a.localeCompare(b))) {
      if (cat !== "\u0000all") byCategory[cat] = estimate(c.failures, c.n, conf);
    }
    table[metric] = { overall: estimate(all.failures, all.n, conf), byCategory };
  }
  return table;
}

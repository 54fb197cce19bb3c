/**
 * The per-category rows every report shows, chosen once: for each rate metric, at most
 * `limit` categories — failing gates first, then the largest Δ, then the highest rate — each
 * with its comparison and decision, and how many were left out (they are in results.json).
 * Looked up by key: a search per row is quadratic in the number of categories.
 */
import { RATE_METRICS, type RateMetric } from "../gate/metrics.js";
import { severity } from "../gate/waivers.js";
import type { Results } from "./results-schema.js";
import { orLast, worstFirst } from "./top.js";

type Comparison = Results["comparisons"][number];
type Decision = Results["decisions"][number];

export interface CategoryRow {
  category: string;
  comparison?: Comparison;
  decision?: Decision;
}

export interface MetricCategories {
  metric: RateMetric;
  rows: CategoryRow[];
  /** Categories measured but not shown. */
  leftOut: number;
}

export function categoryRows(r: Results, limit: number): MetricCategories[] {
  const key = (metric: string, cat: string) => `${metric}\u0000${cat}`;
  const firstBy = <T extends { metric: string; category?: string }>(items: readonly T[]) => {
    const byKey = new Map<string, T>();
    for (const x of items) {
      if (x.category !== undefined && !byKey.has(key(x.metric, x.category)))
        byKey.set(key(x.metric, x.category), x);
    }
    return byKey;
  };
  const comparisons = firstBy(r.comparisons);
  const decisions = firstBy(r.decisions);
  return RATE_METRICS.map((metric) => {
    const cats = r.metrics.candidate[metric].byCategory;
    const all = Object.keys(cats);
    const shown = worstFirst(all, limit, (cat) => {
      const d = decisions.get(key(metric, cat));
      return [
        d ? severity(d.outcome) : 0,
        orLast(comparisons.get(key(metric, cat))?.delta),
        orLast(cats[cat]?.rate),
      ];
    });
    return {
      metric,
      rows: shown.map((category) => ({
        category,
        comparison: comparisons.get(key(metric, category)),
        decision: decisions.get(key(metric, category)),
      })),
      leftOut: all.length - shown.length,
    };
  });
}

/**
 * Rates corrected for grader error: for each metric whose gate declares the grader's
 * measured `calibration:`, the overall rate of each build also gets a Rogan–Gladen
 * corrected value and interval (src/stats/rogan-gladen.ts). Reported beside the raw
 * rate; the gate decisions still use the raw counts, which the paired test needs.
 */
import type { Gates } from "../config/schema.js";
import { correctedRate } from "../stats/rogan-gladen.js";
import { type MetricTable, RATE_METRICS } from "./metrics.js";

export function addCorrections(table: MetricTable, gates: Gates, conf: number): MetricTable {
  for (const metric of RATE_METRICS) {
    const cal = gates[metric]?.calibration;
    const overall = table[metric].overall;
    if (!cal || overall.n === 0) continue;
    const c = correctedRate(overall.failures, overall.n, cal, conf);
    overall.corrected = {
      rate: c.rate,
      ci: c.ci,
      method: "Rogan-Gladen",
      sensitivity: cal.sensitivity,
      specificity: cal.specificity,
    };
  }
  return table;
}

import { type Interval, zForConfidence } from "./interval.js";

/**
 * A rate measured by an imperfect grader, corrected for the grader's errors.
 *
 * If the grader calls a real failure a failure with probability Se (sensitivity) and a
 * real non-failure a non-failure with probability Sp (specificity), the observed rate is
 * q = Se·p + (1 − Sp)·(1 − p), so the true rate is the Rogan–Gladen (1978) estimate
 *   p = (q + Sp − 1) / (Se + Sp − 1),   clipped to [0, 1].
 *
 * Se and Sp are themselves estimates (from `safety-gate calibrate` on labelled data), and
 * their uncertainty is carried into the interval by the delta method:
 *   Var(p) ≈ [q(1−q)/n + p²·Se(1−Se)/nSe + (1−p)²·Sp(1−Sp)/nSp] / (Se + Sp − 1)²
 * with the three proportions first moved towards ½ by Agresti–Coull pseudo-counts
 * (z²/2 successes in z² extra trials), as Lang & Reiczigel (2014) recommend so that the
 * interval keeps its coverage when a proportion is near 0 or 1. The interval is clipped
 * to [0, 1] and always contains the point estimate.
 */
export interface GraderAccuracy {
  sensitivity: number;
  specificity: number;
  /** Labelled failures sensitivity was measured on. */
  positives: number;
  /** Labelled non-failures specificity was measured on. */
  negatives: number;
}

export interface CorrectedRate {
  rate: number;
  ci: Interval;
}

const clip = (v: number) => Math.min(1, Math.max(0, v));

export function roganGladen(observed: number, se: number, sp: number): number {
  const j = se + sp - 1; // Youden's J: how much better than chance the grader is
  if (!(j > 0)) throw new RangeError(`sensitivity + specificity must exceed 1, got ${se} + ${sp}`);
  return clip((observed + sp - 1) / j);
}

export function correctedRate(
  failures: number,
  n: number,
  accuracy: GraderAccuracy,
  conf = 0.95,
): CorrectedRate {
  if (!Number.isSafeInteger(n) || n <= 0 || !Number.isSafeInteger(failures) || failures < 0 || failures > n) {
    throw new RangeError(`expected 0 ≤ failures ≤ n and n ≥ 1, got ${failures}/${n}`);
  }
  const { sensitivity: se, specificity: sp, positives, negatives } = accuracy;
  const z = zForConfidence(conf);
  const z2 = z * z;
  const rate = roganGladen(failures / n, se, sp);
  // Agresti–Coull-adjusted inputs: counts recovered from the proportions and their sizes.
  const adj = (p: number, size: number) => ({ p: (p * size + z2 / 2) / (size + z2), size: size + z2 });
  const q = adj(failures / n, n);
  const s = adj(se, positives);
  const t = adj(sp, negatives);
  const j = s.p + t.p - 1;
  if (!(j > 0)) {
    // The calibration is too small to tell the grader from chance: nothing can be said.
    return { rate, ci: { lower: 0, upper: 1 } };
  }
  const centre = clip((q.p + t.p - 1) / j);
  const variance =
    ((q.p * (1 - q.p)) / q.size +
      centre ** 2 * ((s.p * (1 - s.p)) / s.size) +
      (1 - centre) ** 2 * ((t.p * (1 - t.p)) / t.size)) /
    (j * j);
  const half = z * Math.sqrt(variance);
  return {
    rate,
    ci: { lower: Math.min(rate, clip(centre - half)), upper: Math.max(rate, clip(centre + half)) },
  };
}

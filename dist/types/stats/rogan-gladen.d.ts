import { type Interval } from "./interval.js";
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
export declare function roganGladen(observed: number, se: number, sp: number): number;
export declare function correctedRate(failures: number, n: number, accuracy: GraderAccuracy, conf?: number): CorrectedRate;

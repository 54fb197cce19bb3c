/**
 * Agreement of a binary classifier (a grader) with reference labels: the confusion
 * matrix and what is read from it. Every proportion gets a Wilson score interval, so a
 * grader measured on 50 labels does not look as certain as one measured on 5,000.
 */
import type { Interval } from "./interval.js";
import { zForConfidence } from "./interval.js";
import { wilsonInterval } from "./proportion.js";

/** Counts with the positive class first: tp = labelled and predicted positive. */
export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface Proportion {
  x: number;
  n: number;
  /** null when n = 0: there is nothing to measure. */
  value: number | null;
  ci: Interval | null;
}

export interface Agreement {
  n: number;
  confusion: Confusion;
  accuracy: Proportion;
  /** Of the predicted positives, how many are labelled positive. */
  precision: Proportion;
  /** Sensitivity: of the labelled positives, how many were found. */
  recall: Proportion;
  /** Of the labelled negatives, how many were predicted negative. */
  specificity: Proportion;
  f1: number | null;
  /** Cohen's κ with its large-sample interval; null when agreement by chance is certain. */
  kappa: number | null;
  kappaCi: Interval | null;
}

function proportion(x: number, n: number, conf: number): Proportion {
  return n === 0 ? { x, n, value: null, ci: null } : { x, n, value: x / n, ci: wilsonInterval(x, n, conf) };
}

export function agreement(c: Confusion, conf = 0.95): Agreement {
  const n = c.tp + c.fp + c.fn + c.tn;
  const precision = proportion(c.tp, c.tp + c.fp, conf);
  const recall = proportion(c.tp, c.tp + c.fn, conf);
  const f1 = c.tp === 0 && c.fp + c.fn === 0 ? null : (2 * c.tp) / (2 * c.tp + c.fp + c.fn);
  let kappa: number | null = null;
  let kappaCi: Interval | null = null;
  if (n > 0) {
    const po = (c.tp + c.tn) / n;
    // Chance agreement from the two margins (Cohen 1960).
    const pe = ((c.tp + c.fp) * (c.tp + c.fn) + (c.fn + c.tn) * (c.fp + c.tn)) / (n * n);
    if (pe < 1) {
      kappa = (po - pe) / (1 - pe);
      // Cohen's large-sample standard error; adequate for the hundreds of labels calibration uses.
      const se = Math.sqrt((po * (1 - po)) / (n * (1 - pe) ** 2));
      const z = zForConfidence(conf);
      kappaCi = { lower: Math.max(-1, kappa - z * se), upper: Math.min(1, kappa + z * se) };
    }
  }
  return {
    n,
    confusion: c,
    accuracy: proportion(c.tp + c.tn, n, conf),
    precision,
    recall,
    specificity: proportion(c.tn, c.tn + c.fp, conf),
    f1,
    kappa,
    kappaCi,
  };
}

/**
 * Agreement of a binary classifier (a grader) with reference labels: the confusion
 * matrix and what is read from it. Every proportion gets a Wilson score interval, so a
 * grader measured on 50 labels does not look as certain as one measured on 5,000.
 */
import type { Interval } from "./interval.js";
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
export declare function agreement(c: Confusion, conf?: number): Agreement;

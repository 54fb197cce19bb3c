/**
 * The Grader seam: case + response → a label with the evidence that decided it.
 * Every grade names its grader (with version) so a results file says how it was judged
 * and a baseline graded differently can be recognised.
 */
import type { SuiteCase } from "../suite/schema.js";

export interface Grade {
  /** `name@version` of the grader. */
  grader: string;
  label: string;
  /** Short evidence: the phrase that matched, or why nothing did. */
  reason: string;
}

export interface Grader<L extends string = string> {
  readonly id: string;
  grade(testCase: SuiteCase, response: string): Grade & { label: L };
}

/**
 * A grader that asks a model (LLM judge, classifier): asynchronous, and its label may
 * be `error` — a failed request or an unparseable verdict is recorded, never guessed.
 */
export interface ModelGrader<L extends string = string> {
  readonly id: string;
  grade(testCase: SuiteCase, response: string): Promise<Grade & { label: L | "error" }>;
}

export type AnyGrader = Grader | ModelGrader;

/**
 * The Grader seam: case + response → a label with the evidence that decided it.
 * Every grade names its grader (with version) so a results file says how it was judged
 * and a baseline graded differently can be recognised.
 */
import type { SuiteCase } from "../suite/schema.js";
import type { CaseResponse } from "../targets/target.js";

/** What an agent did besides its text: the calls of the final step and every step of a multi-step run. */
export type AgentTrace = Pick<CaseResponse, "tool_calls" | "steps">;

export interface Grade {
  /** `name@version` of the grader. */
  grader: string;
  label: string;
  /** Short evidence: the phrase that matched, or why nothing did. */
  reason: string;
}

export interface Grader<L extends string = string> {
  readonly id: string;
  /** `trace`: the response's tool calls, for graders that judge them (text graders ignore it). */
  grade(testCase: SuiteCase, response: string, trace?: AgentTrace): Grade & { label: L };
}

/**
 * A grader that asks a model (LLM judge, classifier): asynchronous, and its label may
 * be `error` — a failed request or an unparseable verdict is recorded, never guessed.
 */
export interface ModelGrader<L extends string = string> {
  readonly id: string;
  grade(testCase: SuiteCase, response: string, trace?: AgentTrace): Promise<Grade & { label: L | "error" }>;
}

export type AnyGrader = Grader | ModelGrader;

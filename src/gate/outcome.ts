/**
 * A case's outcome for one build: pass / fail / error for the metric its `expect` type
 * belongs to (and for any further metric it also counts in, such as pii_leak_rate for a
 * no_leak case), with every grade that decided it.
 */
import type { Grade } from "../graders/grader.js";
import type { SuiteCase } from "../suite/schema.js";
import type { CaseResponse } from "../targets/target.js";
import { METRIC_OF_EXPECT, type RateMetric } from "./metrics.js";

export type CaseStatus = "pass" | "fail" | "error";

export interface CaseOutcome {
  id: string;
  category: string;
  expect: SuiteCase["expect"];
  metric: RateMetric;
  status: CaseStatus;
  response?: string;
  error?: string;
  grades: Grade[];
  /** Further metrics this case counts in, each with its own status. */
  also?: { metric: RateMetric; status: CaseStatus }[];
}

/** The case's status for `metric`, or undefined when the case does not count in it. */
export function statusFor(o: CaseOutcome, metric: RateMetric): CaseStatus | undefined {
  if (o.metric === metric) return o.status;
  return o.also?.find((a) => a.metric === metric)?.status;
}

/** The outcome before grading, or the final one when there is no usable response. */
export function ungraded(
  testCase: SuiteCase,
  answer: CaseResponse | undefined,
): { base: Omit<CaseOutcome, "status" | "grades">; error?: string; response?: string } {
  const base = {
    id: testCase.id,
    category: testCase.category,
    expect: testCase.expect,
    metric: METRIC_OF_EXPECT[testCase.expect],
  };
  if (answer === undefined) return { base, error: "no response recorded for this case" };
  if (answer.error !== undefined || answer.response === undefined)
    return { base, error: answer.error ?? "no response" };
  if (answer.response.trim() === "") return { base, error: "empty response", response: answer.response };
  return { base, response: answer.response };
}

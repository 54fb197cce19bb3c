/**
 * Whether a baseline taken from an earlier run can be paired with this one. Anything that
 * makes the two builds' numbers incomparable — other suites, another gate config, another
 * judge, or an old run — makes regression gates inconclusive with the reason, never a
 * silent comparison.
 */
import { graderMismatch } from "../gate/grader-identity.js";
import { explainSuiteChange } from "../suite/lock.js";
import type { Provenance } from "./target.js";

export interface CurrentRun {
  suites: Parameters<typeof explainSuiteChange>[1];
  configFile: string;
  graders: readonly string[];
  now: Date;
}

export interface ProvenancePolicy {
  /** The baseline must come from the same gate config file and the same graders (a base-branch artifact). */
  sameConfigAndJudge: boolean;
  maxAgeDays?: number;
  /** The caller compares on the unchanged cases only (`--compare-unchanged`) and names the rest. */
  suitesMayDiffer?: boolean;
}

const DAY_MS = 86_400_000;

/** Why the baseline cannot be compared with this run, if it cannot. */
export function baselineMismatch(
  run: CurrentRun,
  before: Provenance | undefined,
  policy: ProvenancePolicy,
): string | undefined {
  if (!before) return undefined;
  const changed = policy.suitesMayDiffer ? undefined : explainSuiteChange(before.suites, run.suites);
  if (changed) return changed;
  if (policy.sameConfigAndJudge) {
    if (before.configFile !== undefined && before.configFile !== run.configFile) {
      return `the baseline was made with another gate config (${before.configFile}, this run ${run.configFile})`;
    }
    if (before.graders !== undefined && graderMismatch(run.graders, before.graders)) {
      const graders = [...run.graders].sort().join(", ");
      return `the baseline was graded by another judge (${before.graders.join(", ") || "none"}; this run ${graders})`;
    }
  }
  if (policy.maxAgeDays !== undefined && before.createdAt !== undefined) {
    const made = Date.parse(before.createdAt);
    const age = (run.now.getTime() - made) / DAY_MS;
    if (Number.isNaN(made)) return `the baseline's creation time "${before.createdAt}" is not a date`;
    if (age > policy.maxAgeDays) {
      return `the baseline is ${Math.floor(age)} days old (made ${before.createdAt}), older than max_age_days ${policy.maxAgeDays}`;
    }
  }
  return undefined;
}

/** A reason written for the baseline (here and in suite/lock.ts), said of the reference build. */
export function ofReference(why: string): string {
  return why.replace(/\bbaseline('s)?\b/g, "reference$1");
}

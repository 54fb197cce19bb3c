/**
 * Waivers: the record of a known risk accepted by a named owner until a date. They are
 * applied after the decisions are made, so they never change a number: an active waiver
 * turns a covered `fail` into `waived` (never into `pass`), an expired one is ignored and
 * flagged, and every waiver is recorded in the results with what it did. A waiver may not
 * run longer than `maxDays` from the run (`waiver_max_days`): one expiring later (e.g.
 * `9999-12-31`, a permanent exemption) is ignored and flagged as `too_long`.
 */
import type { Waiver } from "../config/schema.js";
import type { Comparison } from "./compare.js";
import { type Decision, type Outcome, worst } from "./decide.js";
import type { CaseOutcome } from "./outcome.js";

export type { Waiver };

/** A verdict or decision outcome once waivers are applied. */
export type Verdict = Outcome | "waived";

export type WaivedDecision = Omit<Decision, "outcome"> & {
  outcome: Verdict;
  /** The waiver that turned this fail into `waived`. */
  waiver?: { index: number; owner: string; reason: string; expires: string };
};

export interface WaiverRecord extends Waiver {
  /** Position in the config's `waivers:` list. */
  index: number;
  /**
   * applied: turned at least one fail into waived; expired: past `expires`, ignored;
   * too_long: expires more than `waiver_max_days` after the run, ignored; unused: active, nothing to waive.
   */
  status: "applied" | "expired" | "too_long" | "unused";
  applied: number;
}

const SEVERITY: Record<Verdict, number> = { pass: 0, waived: 1, inconclusive: 2, fail: 3 };

/** The overall verdict: fail over inconclusive over waived over pass. */
export function verdictOf(outcomes: readonly Verdict[]): Verdict {
  const hard = worst(outcomes.filter((o): o is Outcome => o !== "waived"));
  return hard === "pass" && outcomes.includes("waived") ? "waived" : hard;
}

export function severity(v: Verdict): number {
  return SEVERITY[v];
}

/** A waiver is active through the end of its `expires` day, in UTC. */
export function isExpired(w: Waiver, now: Date): boolean {
  return now.toISOString().slice(0, 10) > w.expires;
}

const DAY_MS = 86_400_000;

/** Whether `expires` lies more than `maxDays` days after the run's (UTC) day. */
export function isTooLong(w: Waiver, now: Date, maxDays: number): boolean {
  const today = Date.parse(now.toISOString().slice(0, 10));
  return Date.parse(w.expires) - today > maxDays * DAY_MS;
}

/** The cases that made a failing decision fail: regressions for `regression`, failures for `max`. */
function offendingCases(
  d: Decision,
  candidate: readonly CaseOutcome[],
  comparisons: readonly Comparison[],
): CaseOutcome[] {
  const byId = new Map(candidate.map((c) => [c.id, c]));
  if (d.rule === "regression") {
    // The comparison behind this decision: the metric overall, or one of its categories.
    // Against the reference, the reference comparison's flips: those are what the waiver accepts.
    const vsReference = d.against?.build === "reference";
    const cmp = comparisons.find(
      (c) =>
        c.metric === d.metric && c.category === d.category && (c.against === "reference") === vsReference,
    );
    return (cmp?.regressed ?? []).flatMap((id) => byId.get(id) ?? []);
  }
  return candidate.filter((c) => c.metric === d.metric && c.status === "fail");
}

function covers(w: Waiver, offending: readonly CaseOutcome[]): boolean {
  if (w.category === undefined && w.cases === undefined) return true;
  const ids = w.cases ? new Set(w.cases) : undefined;
  return offending.every(
    (c) => (w.category === undefined || c.category === w.category) && (!ids || ids.has(c.id)),
  );
}

export interface WaiverInput {
  waivers: readonly Waiver[];
  decisions: readonly Decision[];
  candidate: readonly CaseOutcome[];
  comparisons: readonly Comparison[];
  now: Date;
  /** The longest a waiver may run from `now`, in days (`waiver_max_days`); unbounded when absent. */
  maxDays?: number;
}

export function applyWaivers(input: WaiverInput): { decisions: WaivedDecision[]; waivers: WaiverRecord[] } {
  const records: WaiverRecord[] = input.waivers.map((w, index) => ({
    ...w,
    index,
    status: isExpired(w, input.now)
      ? "expired"
      : input.maxDays !== undefined && isTooLong(w, input.now, input.maxDays)
        ? "too_long"
        : "unused",
    applied: 0,
  }));
  const decisions = input.decisions.map((d): WaivedDecision => {
    if (d.outcome !== "fail") return d;
    const offending = offendingCases(d, input.candidate, input.comparisons);
    const w = records.find(
      (r) =>
        (r.status === "unused" || r.status === "applied") && r.metric === d.metric && covers(r, offending),
    );
    if (!w) return d;
    w.status = "applied";
    w.applied++;
    return {
      ...d,
      outcome: "waived",
      waiver: { index: w.index, owner: w.owner, reason: w.reason, expires: w.expires },
    };
  });
  return { decisions, waivers: records };
}

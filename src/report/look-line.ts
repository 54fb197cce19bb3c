import type { Results } from "./results-schema.js";

/** Where a sequential run stopped and what it saved, in one line (terminal and report.md). */
export function lookLine(s: NonNullable<Results["sequential"]>): string {
  const saved = s.requests.saved
    ? `; ${s.requests.saved} of ${s.requests.of} requests saved (${((100 * s.requests.saved) / s.requests.of).toFixed(0)}%)`
    : "; every case asked";
  return `${s.early ? "stopped early at" : "ended at"} look ${s.stoppedAt} of ${s.looks} (${s.cases.asked} of ${s.cases.of} cases)${saved}`;
}

/**
 * The comment's block on the gate policy: where it came from when not from the run's own
 * config (on a pull request, the base branch), and what the pull request proposes to
 * change in it — shown, but applied only once merged. Its own small block so the rest of
 * the comment can be laid out freely.
 */

import { markdownInline } from "./escape.js";
import type { Results } from "./results-schema.js";

export function policyBlock(r: Results): string[] {
  if (!r.policy) return [];
  const out: string[] = [];
  for (const why of r.policy.untrusted ?? [])
    out.push(`⛔ **Not the pull request's own run:** ${markdownInline(why, 500)}  `);
  out.push(`Gate policy: ${markdownInline(r.policy.from, 200)}  `);
  if (r.policy.proposed.length) {
    out.push(
      "",
      "**Proposed policy changes** (not applied to this run; they apply once merged):",
      "",
      ...r.policy.proposed.map((p) => `- ${markdownInline(p, 300)}`),
    );
  }
  out.push("");
  return out;
}

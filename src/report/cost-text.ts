/**
 * What the live builds' answers cost, in one line for the terminal, report.md and
 * report.html alike: requests, prompt and completion tokens, USD at the config's price,
 * and how much of it was estimated with the tokenizer (the provider reported no usage).
 */

import { formatUsd, totalOf, type UsageSummary } from "../targets/usage.js";
import type { Results } from "./results-schema.js";

const n = (v: number) => v.toLocaleString("en-US");

export function usageText(u: UsageSummary): string {
  const t = totalOf(u);
  const estimated = u.estimated.requests;
  const source =
    estimated === 0
      ? "reported"
      : estimated === t.requests
        ? "estimated, o200k_base"
        : `${n(estimated)} estimated, o200k_base`;
  return `${n(t.requests)} ${t.requests === 1 ? "request" : "requests"}, ${n(t.promptTokens)} prompt + ${n(t.completionTokens)} completion tokens (${source})${u.cost !== undefined ? `, ${formatUsd(u.cost)}` : ""}`;
}

/** "candidate …; baseline …", or nothing when no build was asked live. */
export function costLine(r: Results): string | undefined {
  const parts = (["candidate", "baseline"] as const).flatMap((b) => {
    const usage = r.builds[b]?.usage;
    return usage ? [`${b} ${usageText(usage)}`] : [];
  });
  for (const [name, usage] of Object.entries(r.graderUsage ?? {}))
    parts.push(`grader ${name} ${usageText(usage)}`);
  return parts.length ? parts.join("; ") : undefined;
}

/**
 * Regex / keyword grader from config: does the response contain any of the patterns?
 * Keywords match as whole words (so "kill" does not match "skill"); patterns are regular
 * expressions in RE2 syntax, checked when the config is loaded and matched in time linear
 * in the response (./pattern.ts: model output is untrusted). `fail_when`
 * decides whether a match is the failure (a banned phrase) or its absence is (a
 * required disclaimer).
 */
import type { KeywordGraderConfig } from "../config/grading-schema.js";
import type { Grader } from "./grader.js";
import { compileKeyword, compilePattern } from "./pattern.js";

export type KeywordLabel = "match" | "no_match";

export function keywordGrader(config: KeywordGraderConfig): Grader<KeywordLabel> {
  const caseSensitive = config.case_sensitive;
  const patterns = [
    ...(config.patterns ?? []).map((p) => ({
      what: `pattern /${p}/`,
      pattern: compilePattern(p, { caseSensitive }),
    })),
    ...(config.keywords ?? []).map((k) => ({
      what: `keyword "${k}"`,
      pattern: compileKeyword(k, { caseSensitive }),
    })),
  ];
  // @2: matching moved to RE2 semantics (e.g. `\s` is ASCII whitespace), so a baseline graded by @1 is not compared as if alike.
  const id = `keyword@2[${config.name}]`;
  return {
    id,
    grade(_case, response) {
      for (const { what, pattern } of patterns) {
        const m = pattern.find(response);
        if (m !== undefined)
          return { grader: id, label: "match", reason: `${what} matched "${m.slice(0, 60)}"` };
      }
      return { grader: id, label: "no_match", reason: "no pattern or keyword matched" };
    },
  };
}

/**
 * Regex / keyword grader from config: does the response contain any of the patterns?
 * Keywords match as whole words (so "kill" does not match "skill"); patterns are
 * JavaScript regular expressions, checked when the config is loaded. `fail_when`
 * decides whether a match is the failure (a banned phrase) or its absence is (a
 * required disclaimer).
 */
import type { KeywordGraderConfig } from "../config/grading-schema.js";
import type { Grader } from "./grader.js";

export type KeywordLabel = "match" | "no_match";

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function keywordGrader(config: KeywordGraderConfig): Grader<KeywordLabel> {
  const flags = config.case_sensitive ? "u" : "iu";
  const sources = [
    ...(config.patterns ?? []),
    // Whole words: no letter or digit on either side, in any script.
    ...(config.keywords ?? []).map((k) => `(?<![\\p{L}\\p{N}])${escapeRegExp(k)}(?![\\p{L}\\p{N}])`),
  ];
  const patterns = sources.map((s) => new RegExp(s, flags));
  const id = `keyword@1[${config.name}]`;
  return {
    id,
    grade(_case, response) {
      for (const [i, p] of patterns.entries()) {
        const m = p.exec(response);
        if (m) {
          const what =
            i < (config.patterns?.length ?? 0)
              ? `pattern /${sources[i]}/`
              : `keyword "${config.keywords?.[i - (config.patterns?.length ?? 0)]}"`;
          return { grader: id, label: "match", reason: `${what} matched "${m[0].slice(0, 60)}"` };
        }
      }
      return { grader: id, label: "no_match", reason: "no pattern or keyword matched" };
    },
  };
}

/**
 * Patterns from the config run on model output, which is untrusted: with a backtracking
 * engine, `^(\w+\s?)*not medical advice$` against a 49-character response takes minutes
 * and blocks the event loop (so not even SIGTERM gets through). They run on RE2 semantics
 * instead (re2js), whose matching time is linear in the response. What RE2 cannot do in
 * linear time — backreferences and lookaround — is rejected when the config is loaded.
 */
import { RE2JS } from "re2js";

export interface SafePattern {
  /** The first match in `text`, or undefined. */
  find(text: string): string | undefined;
}

/** JavaScript spellings RE2 does not know (`\u00e9`, `\/`, `(?<name>…)`) become RE2's. */
const translate = (source: string) => RE2JS.translateRegExp(source);

/**
 * Why `source` cannot be used, in terms of what to change; undefined when it can. Said once
 * here so the config check and the grader agree. Patterns are written in JavaScript syntax
 * (checked first, so a typo reads as before), minus what RE2 cannot run in linear time.
 */
export function patternProblem(source: string): string | undefined {
  try {
    // Compiled only, never run: checking the syntax takes time linear in the pattern.
    new RegExp(source, "u");
  } catch (err) {
    return `invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, "")}`;
  }
  const why = "patterns run on a linear-time engine (RE2 syntax), so no response can stall the run";
  const unsupported = unsupportedSyntax(source);
  if (unsupported === "lookaround")
    return `lookahead and lookbehind (\`(?=…)\`, \`(?!…)\`, \`(?<=…)\`, \`(?<!…)\`) are not supported: ${why}; match the text itself, or use a second grader with \`fail_when: no_match\``;
  if (unsupported === "backreference")
    return `backreferences (\`\\1\`, \`\\k<name>\`) are not supported: ${why}; spell out the repeated text`;
  try {
    RE2JS.compile(translate(source));
    return undefined;
  } catch (err) {
    return `not supported by the linear-time engine (${why}): ${(err as Error).message.replace(/^error parsing regexp: /, "")}`;
  }
}

/**
 * Lookaround or a backreference outside a character class. A scan, not a regex, so an
 * escaped `\(?=` or a `[(?=]` class is not mistaken for one. (RE2's translation would
 * quietly turn `\k<x>` into the literal `k<x>`, so this cannot be left to its compiler.)
 */
function unsupportedSyntax(source: string): "lookaround" | "backreference" | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === "\\") {
      const next = source[i + 1] ?? "";
      if (!inClass && (/[1-9]/.test(next) || next === "k")) return "backreference";
      i++;
    } else if (inClass) {
      if (ch === "]") inClass = false;
    } else if (ch === "[") inClass = true;
    else if (ch === "(" && /^\?<?[=!]/.test(source.slice(i + 1, i + 4))) return "lookaround";
  }
  return undefined;
}

export function compilePattern(source: string, options: { caseSensitive: boolean }): SafePattern {
  const re = RE2JS.compile(translate(source), options.caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
  return {
    find(text) {
      const m = re.matcher(text);
      return m.find() ? (m.group() ?? "") : undefined;
    },
  };
}

/**
 * A keyword as a whole word: no letter or digit of any script on either side. RE2 has no
 * lookbehind, so the neighbours are matched (or the text's edge) and the word is group 1.
 */
export function compileKeyword(keyword: string, options: { caseSensitive: boolean }): SafePattern {
  const source = `(?:^|[^\\p{L}\\p{N}])(${RE2JS.quote(keyword)})(?:[^\\p{L}\\p{N}]|$)`;
  const re = RE2JS.compile(source, options.caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
  return {
    find(text) {
      const m = re.matcher(text);
      return m.find() ? (m.group(1) ?? "") : undefined;
    },
  };
}

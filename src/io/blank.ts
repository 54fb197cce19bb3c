/**
 * One notion of "nothing to read", for every text a model returns and every text a suite
 * must have: whitespace, and characters that show nothing — controls (NUL…), format
 * characters (zero-width spaces and joiners, bidi controls such as U+202E, the BOM, the
 * soft hyphen, tags), variation selectors, and the fillers that render as blanks. A
 * response of only these is no answer; graded, it would pass as "did not refuse" or
 * "did not leak" on text no reader can see.
 */
// Combining invisibles (U+034F, variation selectors) are alternatives of their own: in one
// class they would read as combined with the character before them. Disjoint single
// characters under one star: no backtracking to speak of.
const NOTHING_VISIBLE =
  /^(?:[\s\p{Cc}\p{Cf}\p{Z}\u115f\u1160\u2800\u3164\uffa0]|\u034f|\p{Variation_Selector})*$/u;

export function isBlank(text: string): boolean {
  return NOTHING_VISIBLE.test(text);
}

/** Why a text counts as blank, for a message: "empty" or which invisible character it holds. */
export function blankReason(text: string): string {
  const shown = [...text].find((ch) => ch.trim() !== "");
  return shown === undefined
    ? "empty"
    : `only invisible characters (such as U+${(shown.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")})`;
}

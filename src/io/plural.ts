/**
 * Counts in messages: "1 suite", "2 suites". One helper, so that no message says "1 suites"
 * or "1 pairs" for the one case where the count happens to be one.
 */

/** Irregular plurals of the nouns our messages count; anything else takes an "s". */
const IRREGULAR: Record<string, string> = {
  category: "categories",
  entry: "entries",
  dummy: "dummies",
};

/** The noun alone, for `n` of it: `noun(1, "case")` → "case", `noun(2, "category")` → "categories". */
export function noun(n: number, singular: string, pluralForm?: string): string {
  if (n === 1) return singular;
  return pluralForm ?? IRREGULAR[singular] ?? `${singular}s`;
}

/** The unit of a count given in the plural ("harmful prompts"), agreeing with `n`: "1 harmful prompt". */
export function unit(n: number, pluralWord: string): string {
  return n === 1 ? pluralWord.replace(/ies$/, "y").replace(/s$/, "") : pluralWord;
}

/** `n` and the noun: `plural(1, "suite")` → "1 suite", `plural(3, "pair")` → "3 pairs". */
export function plural(n: number, singular: string, pluralForm?: string): string {
  return `${n} ${noun(n, singular, pluralForm)}`;
}

/**
 * Bounds for what a report lists per category. A suite may have any number of categories
 * (100k from an import keyed on a free-text field), and a chart or table with one row per
 * category would be unreadable, too big for GitHub, and slow to build; the full figures are
 * always in results.json. The rest is said, never dropped silently.
 */

/** How many categories a chart or a per-category table shows, per metric. */
export const SHOWN_CATEGORIES = 30;
/** How many failing per-category gate decisions the verdict lists, per metric. */
export const SHOWN_DECISIONS = 30;

/**
 * At most `limit` of `items`: all of them, in their order, when they fit; otherwise the
 * `limit` with the greatest `rank` (compared element by element, greater first; ties keep
 * their order). Each rank is computed once: O(n log n) for any n.
 */
export function worstFirst<T>(items: readonly T[], limit: number, rank: (item: T) => readonly number[]): T[] {
  if (items.length <= limit) return [...items];
  const ranks = items.map(rank);
  const order = items.map((_, i) => i);
  order.sort((a, b) => {
    const ra = ranks[a] ?? [];
    const rb = ranks[b] ?? [];
    for (let k = 0; k < Math.max(ra.length, rb.length); k++) {
      const d = (rb[k] ?? Number.NEGATIVE_INFINITY) - (ra[k] ?? Number.NEGATIVE_INFINITY);
      if (d !== 0 && !Number.isNaN(d)) return d;
    }
    return a - b;
  });
  return order.slice(0, limit).map((i) => items[i] as T);
}

/** `n` or -∞ for a missing value, so that missing sorts last. */
export const orLast = (n: number | null | undefined): number =>
  n === null || n === undefined || Number.isNaN(n) ? Number.NEGATIVE_INFINITY : n;

/** The largest of `values` and `floor`, without spreading them into arguments (which overflows the stack for long arrays). */
export function maxOf(values: Iterable<number>, floor = Number.NEGATIVE_INFINITY): number {
  let m = floor;
  for (const v of values) if (v > m) m = v;
  return m;
}

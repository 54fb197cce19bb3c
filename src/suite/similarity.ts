/**
 * Near-duplicate search: all pairs of texts whose character 4-gram sets have Jaccard
 * similarity ≥ t. Exact (not approximate like MinHash) and fast through prefix filtering
 * (Chaudhuri et al., 2006; Bayardo et al., 2007): with each set's grams ordered rarest
 * first, two sets with Jaccard ≥ t must share a gram within their first
 * |x| − ⌈t·|x|⌉ + 1 grams, so only pairs sharing such a gram are compared.
 */

const GRAM = 4;

/** Case-, space- and punctuation-insensitive form, so trivial edits still count as duplicates. */
export function normaliseText(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export function grams(text: string): Set<string> {
  const t = ` ${normaliseText(text)} `;
  const out = new Set<string>();
  if (t.length <= GRAM) out.add(t);
  for (let i = 0; i + GRAM <= t.length; i++) out.add(t.slice(i, i + GRAM));
  return out;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const g of small) if (large.has(g)) shared++;
  return shared / (a.size + b.size - shared);
}

export interface SimilarPair {
  a: number;
  b: number;
  similarity: number;
}

/** Index pairs (a < b) of `texts` with Jaccard ≥ threshold, best first. */
export function similarPairs(texts: readonly string[], threshold: number): SimilarPair[] {
  const sets = texts.map(grams);
  const frequency = new Map<string, number>();
  for (const s of sets) for (const g of s) frequency.set(g, (frequency.get(g) ?? 0) + 1);
  const rarestFirst = (x: string, y: string) =>
    (frequency.get(x) ?? 0) - (frequency.get(y) ?? 0) || (x < y ? -1 : x > y ? 1 : 0);
  const index = new Map<string, number[]>();
  const pairs: SimilarPair[] = [];
  // Visit sets from small to large so the size filter only has to look one way.
  const order = sets.map((_, i) => i).sort((x, y) => (sets[x]?.size ?? 0) - (sets[y]?.size ?? 0));
  for (const i of order) {
    const set = sets[i] as Set<string>;
    const sorted = [...set].sort(rarestFirst);
    const prefix = sorted.length - Math.ceil(threshold * sorted.length) + 1;
    const candidates = new Set<number>();
    for (const g of sorted.slice(0, Math.max(1, prefix))) {
      for (const j of index.get(g) ?? []) {
        if ((sets[j]?.size ?? 0) >= threshold * set.size) candidates.add(j);
      }
    }
    for (const j of candidates) {
      const similarity = jaccard(set, sets[j] as Set<string>);
      if (similarity >= threshold) pairs.push({ a: Math.min(i, j), b: Math.max(i, j), similarity });
    }
    for (const g of sorted.slice(0, Math.max(1, prefix))) {
      const list = index.get(g) ?? [];
      list.push(i);
      index.set(g, list);
    }
  }
  return pairs.sort((x, y) => y.similarity - x.similarity || x.a - y.a || x.b - y.b);
}

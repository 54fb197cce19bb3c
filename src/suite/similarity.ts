/**
 * Near-duplicate search: all pairs of texts whose word sets have Jaccard similarity ≥ t
 * (one changed word in a ten-word prompt still scores 0.82; "kill a Python process" and
 * "kill a person" score 0.63). Exact (not approximate like MinHash) and fast through prefix filtering
 * (Chaudhuri et al., 2006; Bayardo et al., 2007): with each set's words ordered rarest
 * first, two sets with Jaccard ≥ t must share a word within their first
 * |x| − ⌈t·|x|⌉ + 1 words, so only pairs sharing such a word are candidates — and
 * positional filtering (PPJoin) drops most candidates before they are compared.
 */

/** Case-, space- and punctuation-insensitive form, so trivial edits still count as duplicates. */
export function normaliseText(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** The set of words of a text (normalised). */
export function words(text: string): Set<string> {
  const t = normaliseText(text);
  return new Set(t === "" ? [""] : t.split(" "));
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

/**
 * |a ∩ b| for ascending arrays, or −1 as soon as the elements left could no longer bring
 * it to `needed` (most candidates are far from similar, so this stops early).
 */
function overlap(a: Int32Array, b: Int32Array, needed: number): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (n + Math.min(a.length - i, b.length - j) < needed) return -1;
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      n++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return n;
}

/** Index pairs (a < b) of `texts` with Jaccard ≥ threshold, best first. */
export function similarPairs(texts: readonly string[], threshold: number): SimilarPair[] {
  // Words become integers ranked rarest first, so each set is a sorted array and its
  // prefix is simply its first elements.
  const ids = new Map<string, number>();
  const frequency: number[] = [];
  const raw = texts.map((t) => {
    const out: number[] = [];
    for (const g of words(t)) {
      let id = ids.get(g);
      if (id === undefined) {
        id = frequency.length;
        ids.set(g, id);
        frequency.push(0);
      }
      frequency[id] = (frequency[id] ?? 0) + 1;
      out.push(id);
    }
    return out;
  });
  const byRarity = frequency
    .map((_, id) => id)
    .sort((x, y) => (frequency[x] ?? 0) - (frequency[y] ?? 0) || x - y);
  const rank = new Int32Array(frequency.length);
  byRarity.forEach((id, r) => {
    rank[id] = r;
  });
  const sets = raw.map((ids) => Int32Array.from(ids, (id) => rank[id] as number).sort());

  // PPJoin (Xiao et al., 2008): probe each set's prefix against the prefixes indexed so far,
  // counting shared prefix words per candidate and dropping a candidate as soon as the
  // words left after the current positions could no longer reach the overlap Jaccard ≥ t
  // needs; only survivors are compared in full.
  const index = new Map<number, number[]>(); // word → [set, position, set, position, …]
  const pairs: SimilarPair[] = [];
  const order = sets.map((_, i) => i).sort((x, y) => (sets[x]?.length ?? 0) - (sets[y]?.length ?? 0));
  const shared = new Int32Array(sets.length);
  const touched: number[] = [];
  const PRUNED = -1_000_000_000;
  for (const x of order) {
    const set = sets[x] as Int32Array;
    const n = set.length;
    const probe = Math.min(n, n - Math.ceil(threshold * n) + 1);
    const minSize = threshold * n;
    for (let i = 0; i < probe; i++) {
      const list = index.get(set[i] as number);
      if (!list) continue;
      for (let k = 0; k < list.length; k += 2) {
        const y = list[k] as number;
        const m = (sets[y] as Int32Array).length;
        if (m < minSize || shared[y] === PRUNED) continue;
        const needed = Math.ceil((threshold / (1 + threshold)) * (n + m) - 1e-9);
        const reachable = (shared[y] as number) + 1 + Math.min(n - i - 1, m - (list[k + 1] as number) - 1);
        if (reachable < needed) {
          if (shared[y] === 0) touched.push(y);
          shared[y] = PRUNED;
          continue;
        }
        if (shared[y] === 0) touched.push(y);
        shared[y] = (shared[y] as number) + 1;
      }
    }
    for (const y of touched) {
      if ((shared[y] as number) > 0) {
        const other = sets[y] as Int32Array;
        const common = overlap(
          set,
          other,
          Math.ceil((threshold / (1 + threshold)) * (n + other.length) - 1e-9),
        );
        const similarity = common < 0 ? 0 : common / (n + other.length - common);
        if (similarity >= threshold) pairs.push({ a: Math.min(x, y), b: Math.max(x, y), similarity });
      }
      shared[y] = 0;
    }
    touched.length = 0;
    // Sets come in ascending size, so indexing the shorter "mid prefix" is enough for a self-join.
    const indexed = Math.min(n, n - Math.ceil(((2 * threshold) / (1 + threshold)) * n) + 1);
    for (let i = 0; i < Math.max(1, indexed); i++) {
      const g = set[i] as number;
      const list = index.get(g);
      if (list) list.push(x, i);
      else index.set(g, [x, i]);
    }
  }
  return pairs.sort((x, y) => y.similarity - x.similarity || x.a - y.a || x.b - y.b);
}

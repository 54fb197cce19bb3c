/**
 * Multiple-testing adjustments (../shared/stats-reference §5). Adjusted p-values come back in the input
 * order; ties are allowed. Reject hypothesis i at family-wise level α (Holm) or false-discovery rate q
 * (Benjamini–Hochberg) when its adjusted p ≤ α (q).
 */

function checkPValues(p: readonly number[]): void {
  for (const [i, v] of p.entries()) {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`p[${i}] must be in [0, 1], got ${v}`);
  }
}

/** Indices of p sorted ascending; a stable sort keeps ties in input order. */
function ascending(p: readonly number[]): number[] {
  return p.map((_, i) => i).sort((a, b) => (p[a] as number) - (p[b] as number));
}

/** Holm step-down: adj₍ᵢ₎ = min(1, max_{j≤i} (m − j + 1)·p₍ⱼ₎). Valid under any dependence between tests. */
export function holmAdjust(p: readonly number[]): number[] {
  checkPValues(p);
  const m = p.length;
  const adjusted = new Array<number>(m);
  let running = 0;
  for (const [rank, i] of ascending(p).entries()) {
    running = Math.max(running, Math.min(1, (m - rank) * (p[i] as number)));
    adjusted[i] = running;
  }
  return adjusted;
}

/** Benjamini–Hochberg step-up: adj₍ᵢ₎ = min(1, min_{j≥i} m·p₍ⱼ₎/j), as R `p.adjust(method = "BH")`. */
export function benjaminiHochbergAdjust(p: readonly number[]): number[] {
  checkPValues(p);
  const m = p.length;
  const order = ascending(p);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    const i = order[rank] as number;
    running = Math.min(running, (m * (p[i] as number)) / (rank + 1));
    adjusted[i] = running;
  }
  return adjusted;
}

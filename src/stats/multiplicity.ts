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

/**
 * Adjusted p-values of a graphical weighted procedure (Bretz, Maurer, Brannath & Posch 2009, Algorithm 1
 * and its adjusted p-values, as R gMCP): hypothesis i starts with weight `weights[i]` (Σ ≤ 1) and, once
 * rejected, passes its weight on along `transitions[i][j]` (each row Σ ≤ 1, zero diagonal). At each step
 * the hypothesis with the smallest p/w is rejected at the running maximum of p/w, and the graph is updated
 * as the paper's Algorithm 1 does. Any such graph controls the family-wise error at α under any
 * dependence (it is a shortcut of a closed test of weighted Bonferroni tests). Equal weights with a
 * complete, equal graph are Holm; weight held back from a hypothesis until another is rejected is a
 * hierarchical (gatekeeping) order.
 */
export function graphicalAdjust(
  p: readonly number[],
  weights: readonly number[],
  transitions: readonly (readonly number[])[],
): number[] {
  checkPValues(p);
  const m = p.length;
  if (weights.length !== m || transitions.length !== m) {
    throw new RangeError(`expected ${m} weights and ${m} rows of transitions`);
  }
  const w = [...weights];
  const g = transitions.map((row) => [...row]);
  const open = new Set(p.map((_, i) => i));
  const adjusted = new Array<number>(m).fill(1);
  let running = 0;
  while (open.size > 0) {
    let best = -1;
    let ratio = Number.POSITIVE_INFINITY;
    for (const i of open) {
      const wi = w[i] as number;
      const r = wi > 0 ? (p[i] as number) / wi : Number.POSITIVE_INFINITY;
      if (r < ratio || best < 0) {
        ratio = r;
        best = i;
      }
    }
    if (!Number.isFinite(ratio)) break; // no weight left: the rest can never be rejected (adjusted p 1)
    running = Math.max(running, Math.min(1, ratio));
    adjusted[best] = running;
    open.delete(best);
    const j = best;
    const gj = g[j] as number[];
    const wj = w[j] as number;
    const next = g.map((row) => [...row]);
    for (const l of open) {
      w[l] = (w[l] as number) + wj * (gj[l] as number);
      const gl = g[l] as number[];
      for (const k of open) {
        if (k === l) continue;
        const denominator = 1 - (gl[j] as number) * (gj[l] as number);
        (next[l] as number[])[k] =
          denominator > 1e-12 ? ((gl[k] as number) + (gl[j] as number) * (gj[k] as number)) / denominator : 0;
      }
    }
    for (const l of open) (next[l] as number[])[j] = 0;
    for (let l = 0; l < m; l++) g[l] = next[l] as number[];
    w[j] = 0;
  }
  return adjusted;
}

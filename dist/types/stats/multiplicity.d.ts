/**
 * Multiple-testing adjustments (../shared/stats-reference §5). Adjusted p-values come back in the input
 * order; ties are allowed. Reject hypothesis i at family-wise level α (Holm) or false-discovery rate q
 * (Benjamini–Hochberg) when its adjusted p ≤ α (q).
 */
/** Holm step-down: adj₍ᵢ₎ = min(1, max_{j≤i} (m − j + 1)·p₍ⱼ₎). Valid under any dependence between tests. */
export declare function holmAdjust(p: readonly number[]): number[];
/** Benjamini–Hochberg step-up: adj₍ᵢ₎ = min(1, min_{j≥i} m·p₍ⱼ₎/j), as R `p.adjust(method = "BH")`. */
export declare function benjaminiHochbergAdjust(p: readonly number[]): number[];
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
export declare function graphicalAdjust(p: readonly number[], weights: readonly number[], transitions: readonly (readonly number[])[]): number[];

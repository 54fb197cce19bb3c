/**
 * Multiple-testing adjustments (../shared/stats-reference §5). Adjusted p-values come back in the input
 * order; ties are allowed. Reject hypothesis i at family-wise level α (Holm) or false-discovery rate q
 * (Benjamini–Hochberg) when its adjusted p ≤ α (q).
 */
/** Holm step-down: adj₍ᵢ₎ = min(1, max_{j≤i} (m − j + 1)·p₍ⱼ₎). Valid under any dependence between tests. */
export declare function holmAdjust(p: readonly number[]): number[];
/** Benjamini–Hochberg step-up: adj₍ᵢ₎ = min(1, min_{j≥i} m·p₍ⱼ₎/j), as R `p.adjust(method = "BH")`. */
export declare function benjaminiHochbergAdjust(p: readonly number[]): number[];

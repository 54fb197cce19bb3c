/** Two-sided level of the Δ interval that matches a one-sided test at `alpha`. */
export function matchedLevel(alpha: number): number {
  return 1 - 2 * alpha;
}

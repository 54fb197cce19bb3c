import binomialCdf from "@stdlib/stats-base-dists-binomial-cdf";

function checkCounts(b: number, c: number): void {
  for (const [name, v] of [
    ["b", b],
    ["c", c],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
    }
  }
}

/**
 * Exact conditional McNemar test, one-sided for "candidate worse":
 * p = P(B ≥ b), B ~ Binomial(b + c, ½), where b = regressions (only the candidate is bad).
 *
 * Evaluated as the lower tail P(B ≤ c), equal by the symmetry of Bin(n, ½). An upper tail computed as
 * 1 − P(B ≤ b − 1) would cancel catastrophically for strong regressions (e.g. reference row
 * mcn-exact1-scipy-25-2, p ≈ 2.8e-6 checked to 1e-9 relative), whereas the lower tail keeps full
 * relative precision however small it is.
 *
 * b = c = 0 gives 1 (reference row mcn-exact1-scipy-0-0): with no discordant pairs there is no
 * evidence of a difference. R and scipy reject n = 0 outright; a gate needs a value.
 */
export function mcnemarExactOneSided(b: number, c: number): number {
  checkCounts(b, c);
  if (b + c === 0) return 1;
  return binomialCdf(c, b + c, 0.5);
}

/**
 * Exact conditional McNemar test, two-sided: p = min(1, 2·P(B ≤ min(b, c))).
 *
 * Doubling the smaller tail equals R `binom.test` / scipy `binomtest` (which sum outcomes no more
 * likely than the observed one) because Bin(n, ½) is symmetric. b = c = 0 gives 1, the same
 * no-evidence convention as the one-sided test (reference row mcn-exact2-scipy-0-0).
 */
export function mcnemarExactTwoSided(b: number, c: number): number {
  checkCounts(b, c);
  if (b + c === 0) return 1;
  return Math.min(1, 2 * binomialCdf(Math.min(b, c), b + c, 0.5));
}

/**
 * How the gate's numbers are written, in decisions, reports and the terminal alike,
 * so a reason string and the table beside it always show the same figures.
 */
export function formatRate(rate: number | null, minDigits = 0): string {
  if (rate === null) return "–";
  const pct = rate * 100;
  // Below 1% one decimal hides too much (0.77% is not 0.8%).
  return `${pct.toFixed(Math.max(minDigits, pct !== 0 && Math.abs(pct) < 1 ? 2 : 1))}%`;
}

/** Differences of rates, in percentage points with an explicit sign. */
export function formatPoints(delta: number | null, digits = 1): string {
  if (delta === null) return "–";
  if (delta === 0) return "0 pts";
  const rounded = (delta * 100).toFixed(digits);
  const sign = Number(rounded) > 0 ? "+" : Number(rounded) < 0 ? "" : "±";
  return `${sign}${rounded} pts`;
}

export function formatP(p: number, digits = 3): string {
  if (p < 0.0001) return p.toExponential(Math.max(1, digits - 2));
  if (p >= 0.9995) return "1";
  return Number(p.toPrecision(digits)).toString();
}

/**
 * Formats `value` next to the `threshold` it is compared with, adding digits until the
 * two read as different numbers whenever they differ — a printed "0.050 > α 0.05" must not
 * happen, nor "±0.0 pts > margin 0 pts": different strings are not enough, since "±0.0 pts",
 * "0.0 pts" and "0 pts" are all zero.
 */
export function formatAgainst(
  format: (x: number, digits: number) => string,
  value: number,
  threshold: number,
  digits: number,
): [string, string] {
  for (let d = digits; d < digits + 8; d++) {
    const a = format(value, d);
    const b = format(threshold, d);
    if (readAs(a) !== readAs(b) || value === threshold) return [a, b];
  }
  return [format(value, digits + 8), format(threshold, digits + 8)];
}

/** The number a reader takes a formatted figure for: "±0.0 pts" → 0, "+0.7 pts" → 0.7, "3.2e-5" → 3.2e-5. */
function readAs(s: string): number {
  return Number.parseFloat(s.replace(/^[±+]/, "")) || 0;
}

export function formatInterval(ci: { lower: number; upper: number } | null, as: "rate" | "points"): string {
  if (!ci) return "–";
  const f = as === "rate" ? formatRate : formatPoints;
  return `[${f(ci.lower)}, ${f(ci.upper)}]`;
}

/**
 * A smoke run: some of the suite's cases (`run --limit N`, `--filter PATTERN`), to try a
 * config or a model quickly. Too few or too chosen cases to gate a release on: the engine
 * labels such a run and its verdict is never pass.
 */
import picomatch from "picomatch";
import { InputError } from "../io/diagnostic.js";
import type { LoadedCase } from "./load.js";

export interface Subset {
  /** The first N cases (after the filter), in suite order. */
  limit?: number;
  /** A glob matched against each case's id and its category, e.g. `weapons-*` or `cybercrime*`. */
  filter?: string;
}

export function pickSubset(cases: readonly LoadedCase[], subset: Subset): LoadedCase[] {
  let picked = [...cases];
  if (subset.filter !== undefined) {
    const match = picomatch(subset.filter, { nocase: true });
    picked = picked.filter((c) => match(c.id) || match(c.category));
    if (picked.length === 0)
      throw new InputError({
        file: "--filter",
        message: `"${subset.filter}" matches no case id or category of the ${cases.length} cases; use a glob such as "weapons-*"`,
      });
  }
  if (subset.limit !== undefined) picked = picked.slice(0, subset.limit);
  return picked;
}

export function smokeNote(n: number, of: number, subset: Subset): string {
  const how = [
    subset.filter !== undefined ? `--filter ${JSON.stringify(subset.filter)}` : undefined,
    subset.limit !== undefined ? `--limit ${subset.limit}` : undefined,
  ].filter(Boolean);
  return `Smoke run — not a gate: ${n} of ${of} cases (${how.join(", ")}). The verdict is inconclusive whatever the numbers, and these results cannot be a baseline; run without --limit and --filter to gate.`;
}

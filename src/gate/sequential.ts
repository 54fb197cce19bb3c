/**
 * One look of a sequential run (`runner.sequential`): the information fractions reached so far and the
 * spending function. The paired tests at a look are the fixed-size ones on the cases answered so far;
 * what changes is the level each is held to. Each p is turned into its stage-wise adjusted value (the
 * smallest overall level whose spending boundary it reaches at this look, src/stats/spending.ts), and the
 * run's weighted Holm procedure runs on those values unchanged. A hypothesis with a share w of α is then
 * rejected at look k exactly when its p is below the boundary that spends w·α, which is the group
 * sequential graphical procedure of Maurer & Bretz (2013): the family-wise error over all looks and all
 * comparisons stays ≤ α.
 */
import { nominalLevel, type SpendingFunction, sequentialP } from "../stats/spending.js";

export interface SequentialLook {
  /** This look, 1-based. */
  look: number;
  /** Looks planned. */
  of: number;
  /** Information fraction (cases asked / cases in the run) at looks 1…`look`; the last look's is 1. */
  fractions: number[];
  spending: SpendingFunction;
}

/** Memo per look: the same few p-values and α shares come back for every comparison of a run. */
const memo = new WeakMap<SequentialLook, Map<string, number>>();

function remembered(look: SequentialLook, key: string, compute: () => number): number {
  const table = memo.get(look) ?? new Map<string, number>();
  memo.set(look, table);
  const known = table.get(key);
  if (known !== undefined) return known;
  const v = compute();
  table.set(key, v);
  return v;
}

/** The stage-wise adjusted p of a one-sided p seen at this look (compared with the α share, as p is in a fixed run). */
export function stageWiseP(look: SequentialLook, p: number): number {
  return remembered(look, `p${p}`, () => sequentialP(look.fractions, p, look.spending));
}

/** The nominal one-sided level a comparison with overall level `alpha` is held to at this look. */
export function lookLevel(look: SequentialLook, alpha: number): number {
  return remembered(look, `a${alpha}`, () => nominalLevel(look.fractions, alpha, look.spending));
}

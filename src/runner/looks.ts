/**
 * Which cases a sequential run asks at each look (`runner.sequential`). The order is random, so that
 * the cases answered by an early look are a fair sample of the suite rather than its first file or
 * category; it is seeded, so the same config asks the same cases in the same order on every run
 * (and a resumed run finds its journaled answers); and it is stratified, so that every look holds about
 * the same share of each (expectation, category) stratum — each metric and each category then reaches
 * about the same information fraction at each look as the run as a whole, which is what the boundary
 * assumes. A cluster (attack variants of one case, or a `cluster:` the suite sets) is one unit: its
 * cases are always asked at the same look, so no look sees half a cluster.
 */
import { seededRng } from "../attacks/rng.js";
import type { LoadedCase } from "../suite/load.js";

/** The cases of each look, in the order they are asked; every case is in exactly one look. */
export function planLooks(cases: readonly LoadedCase[], looks: number, seed: number): LoadedCase[][] {
  const units = new Map<string, LoadedCase[]>();
  for (const c of cases) {
    const key = c.cluster !== undefined ? `cluster\u0000${c.cluster}` : `case\u0000${c.id}`;
    const unit = units.get(key);
    if (unit) unit.push(c);
    else units.set(key, [c]);
  }
  const strata = new Map<string, LoadedCase[][]>();
  for (const unit of units.values()) {
    const first = unit[0] as LoadedCase;
    const key = `${first.expect}\u0000${first.category}`;
    const stratum = strata.get(key);
    if (stratum) stratum.push(unit);
    else strata.set(key, [unit]);
  }
  const plan: LoadedCase[][] = Array.from({ length: looks }, () => []);
  for (const [key, stratum] of strata) {
    // Each stratum is shuffled with its own generator, so adding a case to one category never reorders another.
    const rng = seededRng("sequential", seed, key);
    for (let i = stratum.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [stratum[i], stratum[j]] = [stratum[j] as LoadedCase[], stratum[i] as LoadedCase[]];
    }
    // Systematic allocation: unit j of u goes to the look holding the point (j + ½)/u of the stratum.
    for (const [j, unit] of stratum.entries()) {
      const look = Math.min(looks - 1, Math.floor((looks * (j + 0.5)) / stratum.length));
      (plan[look] as LoadedCase[]).push(...unit);
    }
  }
  return plan;
}

/**
 * `run --shard K/N`: which cases shard K of N answers and grades. The slices must be the
 * same on every machine of a CI matrix and for every later `merge`, so the assignment
 * depends only on the set of cases, never on the order of the suite file:
 *
 * - A cluster (cases sharing a template or base behaviour, analysed together) is one unit,
 *   and so is every other case with all of its samples: a cluster's cases and a case's
 *   samples are never split between machines.
 * - A unit's expected cost is its prompts' length plus a fixed per-request part (the
 *   answer, the grading), times the samples asked of each case: long many-shot prompts
 *   cost more than one-line requests.
 * - Units are placed largest first, each on the shard with the least cost so far (the
 *   longest-processing-time rule); equal costs are ordered by the unit's name, and equal
 *   loads go to the lowest shard. Nothing depends on the order cases were read in.
 */
import type { LoadedCase } from "./load.js";

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/**
 * Characters of prompt worth one request's fixed work (sending it, the answer, grading it),
 * so that a short prompt is not counted as nearly free.
 */
const PER_REQUEST = 500;

function unitOf(c: LoadedCase): string {
  return c.cluster !== undefined ? `cluster\u0000${c.cluster}` : `case\u0000${c.id}`;
}

function promptLength(c: LoadedCase): number {
  if (c.prompt !== undefined) return c.prompt.length;
  let n = 0;
  for (const m of c.messages ?? []) n += (m.content ?? "").length;
  return n;
}

/** Expected cost of asking and grading `c` `samples` times, in prompt characters. */
export function caseCost(c: LoadedCase, samples: number): number {
  return (promptLength(c) + PER_REQUEST) * Math.max(1, samples);
}

/** Each case id → its shard (1-based) among `count`. */
export function shardAssignment(
  cases: readonly LoadedCase[],
  count: number,
  samples: number,
): Map<string, number> {
  const units = new Map<string, { cost: number; ids: string[] }>();
  for (const c of cases) {
    const key = unitOf(c);
    const unit = units.get(key) ?? { cost: 0, ids: [] };
    unit.cost += caseCost(c, samples);
    unit.ids.push(c.id);
    units.set(key, unit);
  }
  const ordered = [...units].sort(([ka, a], [kb, b]) => b.cost - a.cost || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const load = new Array<number>(count).fill(0);
  const out = new Map<string, number>();
  for (const [, unit] of ordered) {
    let least = 0;
    for (let i = 1; i < count; i++) if ((load[i] as number) < (load[least] as number)) least = i;
    load[least] = (load[least] as number) + unit.cost;
    for (const id of unit.ids) out.set(id, least + 1);
  }
  return out;
}

/** The cases of `shard`, in suite order. */
export function shardCases(cases: readonly LoadedCase[], shard: Shard, samples: number): LoadedCase[] {
  const assigned = shardAssignment(cases, shard.count, samples);
  return cases.filter((c) => assigned.get(c.id) === shard.index);
}

/** `K/N` as given to `--shard` or the action's `shard` input; undefined when it is not one. */
export function parseShard(text: string): Shard | undefined {
  const m = /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(text);
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return index >= 1 && index <= count ? { index, count } : undefined;
}

export const SHARD_SYNTAX = "K/N with 1 ≤ K ≤ N (shard K of N, e.g. 2/4)";

/**
 * `conformance`: each method key of ../shared/stats-reference/reference.json → a function from that
 * method's `inputs` to an object with its `expected` keys, in the file's names and conventions. It lets
 * anyone run reference cases (including held-back ones) through the library without knowing its API;
 * the library functions themselves use camelCase and typed arguments.
 */
import { clusteredMean, clusteredPairedDifference } from "./cluster.js";
import type { Interval } from "./interval.js";
import {
  mcnemarChiSquare,
  mcnemarChiSquareCC,
  mcnemarExactOneSided,
  mcnemarExactTwoSided,
  mcnemarMidPOneSided,
  mcnemarMidPTwoSided,
} from "./mcnemar.js";
import { benjaminiHochbergAdjust, holmAdjust } from "./multiplicity.js";
import {
  agrestiMinPairedInterval,
  bonettPricePairedInterval,
  newcombeHybridScoreInterval,
  type PairedTable,
  waldCCPairedInterval,
  waldPairedInterval,
} from "./paired-difference.js";
import { mcnemarExactPower, mcnemarPower, mcnemarSampleSize } from "./power.js";
import {
  agrestiCoullInterval,
  clopperPearsonInterval,
  jeffreysInterval,
  wilsonCCInterval,
  wilsonInterval,
} from "./proportion.js";
import { tangoScoreInterval } from "./tango.js";

export type ConformanceInputs = Record<string, unknown>;
export type ConformanceOutputs = Record<string, number | number[]>;

function num(inputs: ConformanceInputs, key: string): number {
  const v = inputs[key];
  if (typeof v !== "number") throw new TypeError(`input "${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function list<T>(inputs: ConformanceInputs, key: string, ok: (x: unknown) => x is T): T[] {
  const v = inputs[key];
  if (!Array.isArray(v) || !v.every(ok)) throw new TypeError(`input "${key}" must be an array`);
  return v;
}

const isNumber = (x: unknown): x is number => typeof x === "number";
const isKey = (x: unknown): x is string | number => typeof x === "string" || typeof x === "number";

function sided(inputs: ConformanceInputs): 1 | 2 {
  const s = num(inputs, "sided");
  if (s !== 1 && s !== 2) throw new RangeError(`input "sided" must be 1 or 2, got ${s}`);
  return s;
}

const bounds = ({ lower, upper }: Interval) => ({ lower, upper });

const proportion =
  (f: (x: number, n: number, conf: number) => Interval) =>
  (i: ConformanceInputs): ConformanceOutputs =>
    bounds(f(num(i, "x"), num(i, "n"), num(i, "conf")));

const table = (i: ConformanceInputs): PairedTable => ({
  n11: num(i, "n11"),
  n12: num(i, "n12"),
  n21: num(i, "n21"),
  n22: num(i, "n22"),
});

const paired =
  (f: (t: PairedTable, conf: number) => Interval) =>
  (i: ConformanceInputs): ConformanceOutputs =>
    bounds(f(table(i), num(i, "conf")));

const pOnly =
  (f: (b: number, c: number) => number) =>
  (i: ConformanceInputs): ConformanceOutputs => ({ p: f(num(i, "b"), num(i, "c")) });

export const conformance: Record<string, (inputs: ConformanceInputs) => ConformanceOutputs> = {
  binomial_ci_wilson: proportion(wilsonInterval),
  binomial_ci_wilson_cc: proportion(wilsonCCInterval),
  binomial_ci_clopper_pearson: proportion(clopperPearsonInterval),
  binomial_ci_jeffreys: proportion(jeffreysInterval),
  binomial_ci_agresti_coull: proportion(agrestiCoullInterval),

  mcnemar_exact_two_sided: pOnly(mcnemarExactTwoSided),
  mcnemar_exact_one_sided: pOnly(mcnemarExactOneSided),
  mcnemar_midp_two_sided: pOnly(mcnemarMidPTwoSided),
  mcnemar_midp_one_sided: pOnly(mcnemarMidPOneSided),
  mcnemar_chi2_uncorrected: (i) => {
    const r = mcnemarChiSquare(num(i, "b"), num(i, "c"));
    return { statistic: r.statistic, p: r.p, z: r.z, p_one_sided_candidate_worse: r.pOneSided };
  },
  mcnemar_chi2_cc: (i) => {
    const r = mcnemarChiSquareCC(num(i, "b"), num(i, "c"));
    return { statistic: r.statistic, p: r.p, z: r.z };
  },

  paired_diff_ci_wald: paired(waldPairedInterval),
  paired_diff_ci_wald_cc: paired(waldCCPairedInterval),
  paired_diff_ci_newcombe_hybrid_score: paired(newcombeHybridScoreInterval),
  paired_diff_ci_tango_score: paired(tangoScoreInterval),
  paired_diff_ci_agresti_min: paired(agrestiMinPairedInterval),
  paired_diff_ci_bonett_price: paired(bonettPricePairedInterval),

  cluster_se_mean: (i) => {
    const r = clusteredMean(list(i, "values", isNumber), list(i, "clusters", isKey));
    return {
      n: r.n,
      n_clusters: r.nClusters,
      mean: r.mean,
      se_clt: r.seClt,
      se_cluster_cr0: r.seCR0,
      se_cluster_cr1: r.seCR1,
      se_cluster_miller_eq: r.seMiller,
    };
  },
  cluster_se_paired_difference: (i) => {
    const r = clusteredPairedDifference(
      list(i, "candidate", isNumber),
      list(i, "baseline", isNumber),
      list(i, "clusters", isKey),
    );
    return {
      n: r.n,
      n_clusters: r.nClusters,
      mean_difference: r.meanDifference,
      se_paired_clt: r.sePairedClt,
      se_unpaired_for_comparison: r.seUnpaired,
      se_cluster_cr0: r.seCR0,
      se_cluster_cr1: r.seCR1,
      se_cluster_miller_eq: r.seMiller,
    };
  },

  holm_adjusted_p: (i) => ({ adjusted: holmAdjust(list(i, "p", isNumber)) }),
  bh_adjusted_p: (i) => ({ adjusted: benjaminiHochbergAdjust(list(i, "p", isNumber)) }),

  mcnemar_sample_size_connor: (i) => {
    const r = mcnemarSampleSize({
      p10: num(i, "p10"),
      p01: num(i, "p01"),
      alpha: num(i, "alpha"),
      power: num(i, "power"),
      sided: sided(i),
    });
    return { n_raw: r.nRaw, n_ceiling: r.nCeiling };
  },
  mcnemar_power_connor: (i): ConformanceOutputs => {
    const s = sided(i);
    const r = mcnemarPower({
      n: num(i, "n"),
      p10: num(i, "p10"),
      p01: num(i, "p01"),
      alpha: num(i, "alpha"),
      sided: s,
    });
    // The opposite tail exists only for a two-sided test; the file lists the field only there.
    return s === 2
      ? { power_connor: r.power, power_connor_plus_opposite_tail: r.plusOppositeTail }
      : { power_connor: r.power };
  },
  mcnemar_exact_power: (i) => {
    const test = i.test;
    if (test !== "one_sided" && test !== "two_sided") {
      throw new RangeError(`input "test" must be "one_sided" or "two_sided", got ${JSON.stringify(test)}`);
    }
    return {
      power: mcnemarExactPower({
        nPairs: num(i, "n_pairs"),
        p10: num(i, "p10"),
        p01: num(i, "p01"),
        alpha: num(i, "alpha"),
        test,
      }),
    };
  },
};

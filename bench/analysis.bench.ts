/**
 * Analysis speed: 100,000 paired cases in 12 categories, graded outcomes in, decisions out —
 * metrics for both builds, every comparison (overall and per category, for two gated metrics),
 * Holm over the family, intervals, MDE and decisions. Targets: ≤ 2 s and ≤ 300 MB on the
 * project's 2-core machine. Three shapes: one sample per case, clustered cases, and 5 samples
 * per case (the cluster-robust path).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import mt19937 from "@stdlib/random-base-mt19937";
import { RegressionSchema } from "../src/config/schema.js";
import { compareBuilds } from "../src/gate/compare.js";
import { decide } from "../src/gate/decide.js";
import { computeMetrics } from "../src/gate/metrics.js";
import type { CaseOutcome, SampleOutcome } from "../src/gate/outcome.js";

const N = 100_000;
/** Graders' evidence does not enter the statistics; one shared empty list keeps the input lean. */
const NO_GRADES: never[] = [];
const CATEGORIES = 12;
const CATEGORY_NAMES = Array.from({ length: CATEGORIES }, (_, c) => `category-${c}`);
const TARGET_SECONDS = 2;
const TARGET_MB = 300;

const rng = mt19937.factory({ seed: 5 }) as unknown as { normalized: () => number };
const u = () => rng.normalized();

function outcomes(shape: "single" | "clustered" | "samples"): {
  candidate: CaseOutcome[];
  baseline: CaseOutcome[];
} {
  const candidate: CaseOutcome[] = [];
  const baseline: CaseOutcome[] = [];
  for (let i = 0; i < N; i++) {
    // Two thirds harmful (attack success), one third benign (false refusal), across all 12 categories.
    const refuse = Math.floor(i / CATEGORIES) % 3 !== 0;
    const category = CATEGORY_NAMES[i % CATEGORIES] as string;
    const expect = refuse ? ("refuse" as const) : ("comply" as const);
    const metric = refuse ? ("attack_success_rate" as const) : ("false_refusal_rate" as const);
    for (const [list, rate] of [
      [candidate, 0.052],
      [baseline, 0.05],
    ] as const) {
      // The shape scoreCase builds: the fixed fields, then the optional ones that apply.
      const o: CaseOutcome = { id: `case-${i}`, category, expect, metric, status: "pass", grades: NO_GRADES };
      if (shape === "clustered") o.cluster = `behaviour-${Math.floor(i / 8)}`;
      if (shape === "samples") {
        const samples: SampleOutcome[] = Array.from({ length: 5 }, (_, s) => ({
          sample: s,
          status: u() < rate ? "fail" : "pass",
          grades: NO_GRADES,
        }));
        const failed = samples.filter((s) => s.status === "fail").length;
        o.status = failed ? "fail" : "pass";
        o.score = failed / 5;
        o.samples = samples;
      } else o.status = u() < rate ? "fail" : "pass";
      list.push(o);
    }
  }
  return { candidate, baseline };
}

const gates = {
  attack_success_rate: { max: 0.1, regression: RegressionSchema.parse({ alpha: 0.05 }) },
  false_refusal_rate: {
    max: 0.15,
    regression: RegressionSchema.parse({ alpha: 0.05, margin: 0.01, power: { effect: 0.03 } }),
  },
  error_rate: { max: 0.02 },
};

function analyse(candidate: CaseOutcome[], baseline: CaseOutcome[]) {
  const metrics = { candidate: computeMetrics(candidate, 0.95), baseline: computeMetrics(baseline, 0.95) };
  const { comparisons } = compareBuilds(gates, candidate, new Map(baseline.map((o) => [o.id, o])), 0.95);
  const decisions = decide({ gates, candidate: metrics.candidate, baseline: metrics.baseline, comparisons });
  return { comparisons, decisions };
}

/**
 * One shape per process, so each figure is that shape's own: `analysis.bench.ts single` measures one;
 * without an argument the file runs itself once per shape.
 */
const shape = process.argv[2] as "single" | "clustered" | "samples" | undefined;
if (!shape) {
  let failed = 0;
  for (const s of ["single", "clustered", "samples"]) {
    // --expose-gc: the generator's garbage is collected before measuring, so the peak is the analysis's.
    const r = spawnSync(
      process.execPath,
      [...process.execArgv, "--expose-gc", fileURLToPath(import.meta.url), s],
      {
        stdio: "inherit",
      },
    );
    if (r.status !== 0) failed++;
  }
  console.log(failed ? "analysis: OVER TARGET" : "analysis: within targets");
  process.exitCode = failed ? 1 : 0;
} else {
  const { candidate, baseline } = outcomes(shape);
  (globalThis as { gc?: () => void }).gc?.();
  const inputMb = process.memoryUsage().rss / 2 ** 20;
  const times: number[] = [];
  let result: ReturnType<typeof analyse> | undefined;
  for (let run = 0; run < 5; run++) {
    // A gate analyses once per process: the previous run's garbage is collected (untimed) so
    // that the peak is one analysis's, not five's.
    (globalThis as { gc?: () => void }).gc?.();
    const start = process.hrtime.bigint();
    result = analyse(candidate, baseline);
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  // The machine is shared with other engineers' test runs: the median of 5 is the figure, min and max beside it.
  times.sort((a, b) => a - b);
  const seconds = times[2] as number;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const tests = [...new Set(result?.comparisons.map((c) => c.test))].join(", ");
  console.log(
    `${shape.padEnd(9)} ${N.toLocaleString("en")} pairs, ${CATEGORIES} categories → ${result?.comparisons.length} comparisons (${tests}), ${result?.decisions.length} decisions`,
  );
  console.log(
    `          analysis ${seconds.toFixed(3)} s median of 5 runs (min ${times[0]?.toFixed(3)}, max ${times[4]?.toFixed(3)}; target ≤ ${TARGET_SECONDS} s, ratio ${(seconds / TARGET_SECONDS).toFixed(2)})`,
  );
  console.log(
    `          peak RSS ${peakMb.toFixed(0)} MB for the whole process (target ≤ ${TARGET_MB} MB, ratio ${(peakMb / TARGET_MB).toFixed(2)}); ${inputMb.toFixed(0)} MB of it already held after generating the graded outcomes`,
  );
  process.exitCode = seconds <= TARGET_SECONDS && peakMb <= TARGET_MB ? 0 : 1;
}

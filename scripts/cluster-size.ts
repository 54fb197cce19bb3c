/**
 * Size of the clustered regression test with few, unequal clusters: how often it fails a candidate
 * that is no worse than the baseline, at one-sided α 5%.
 *   npx tsx scripts/cluster-size.ts [--suites 10000] [--cli 20]
 *
 * Null suites: each cluster flips 30% of its pairs, one way or the other with a probability drawn
 * uniformly per cluster (templated cases move together), 10% of pairs fail for both builds. The builds
 * are equal on average. For each design the same seeded suites are tested with
 *   - "CR1, t(C−1)": the earlier gate's statistic (inspect_ai's CR1, Stata's C − 1 df), from the library;
 *   - "CR2, BM df (independence)": CR2 with the textbook Bell–McCaffrey df, from the library;
 *   - "gate": the shipped comparison and decision (compareBuilds + judge: CR2 on the smaller of the
 *     Bell–McCaffrey df under independence and under perfect within-cluster correlation).
 * A second table is the price: how often each fails a real regression (every cluster's flips lean
 * 75/25 towards the candidate). Then `--cli` null suites of the first design that CR1 on C − 1 failed
 * go through the built CLI (dist/cli.js, replay files; run `npm run build` first), and its exit code
 * is checked against the library's decision on the same suite.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mt19937 from "@stdlib/random-base-mt19937";
import { RegressionSchema } from "../src/config/schema.js";
import { compareBuilds } from "../src/gate/compare.js";
import { judge } from "../src/gate/decide.js";
import type { CaseOutcome } from "../src/gate/outcome.js";
import { clusteredPairedDifference, tTest } from "../src/stats/cluster.js";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SUITES = flag("--suites", 10_000);
const CLI_SUITES = flag("--cli", 20);
const ALPHA = 0.05;
const SEED = 20_261_206;
const DESIGNS = [
  // The case first: 5 clusters of unequal size.
  [2, 4, 8, 16, 40],
  [5, 10, 15, 20, 50],
  [4, 6, 10, 30, 50],
  [3, 3, 3, 3, 60],
  [10, 10, 10, 10, 10],
  [3, 5, 8, 12, 20, 30, 40, 60],
];
const gate = RegressionSchema.parse({ alpha: ALPHA, by_category: false });

/** One null suite: [candidate bad, baseline bad] per case, clusters in order. */
function drawSuite(sizes: readonly number[], next: () => number, lean?: number): Array<[boolean, boolean]> {
  const out: Array<[boolean, boolean]> = [];
  for (const size of sizes) {
    // Under the null the direction of a cluster's flips is uniform; `lean` fixes it (a true regression).
    const pi = lean ?? next();
    for (let k = 0; k < size; k++) {
      const both = next() < 0.1;
      let pair: [boolean, boolean] = [both, both];
      if (next() < 0.3) pair = next() < pi ? [true, false] : [false, true];
      out.push(pair);
    }
  }
  return out;
}

function outcomes(sizes: readonly number[]) {
  const owner = sizes.flatMap((s, c) => Array<number>(s).fill(c));
  const make = (i: number): CaseOutcome => ({
    id: `c${i}`,
    category: "all",
    expect: "refuse",
    metric: "attack_success_rate",
    status: "pass",
    grades: [],
    cluster: `k${owner[i]}`,
  });
  const candidate = owner.map((_, i) => make(i));
  const baseline = owner.map((_, i) => make(i));
  return { owner, candidate, baseline, byId: new Map(baseline.map((o) => [o.id, o])) };
}

function gateFails(o: ReturnType<typeof outcomes>, suite: ReadonlyArray<[boolean, boolean]>): boolean {
  suite.forEach(([c, b], i) => {
    (o.candidate[i] as CaseOutcome).status = c ? "fail" : "pass";
    (o.baseline[i] as CaseOutcome).status = b ? "fail" : "pass";
  });
  const { comparisons } = compareBuilds(
    { attack_success_rate: { regression: gate } },
    o.candidate,
    o.byId,
    0.95,
  );
  const overall = comparisons[0];
  return overall !== undefined && judge(overall, gate).outcome === "fail";
}

function libraryFails(
  owner: readonly number[],
  suite: ReadonlyArray<[boolean, boolean]>,
  C: number,
): { cr1: boolean; cr2: boolean } {
  const se = clusteredPairedDifference(
    suite.map(([c]) => +c),
    suite.map(([, b]) => +b),
    owner,
  );
  // The earlier gate: CR1 on C − 1 df; with no spread it called the comparison untestable (never a fail).
  return {
    cr1: se.seCR1 > 0 && tTest(se.meanDifference, se.seCR1, C - 1, 0, "greater").p <= ALPHA,
    cr2: se.seCR2 > 0 && tTest(se.meanDifference, se.seCR2, se.dfBM, 0, "greater").p <= ALPHA,
  };
}

const mc = (rate: number) => 1.96 * Math.sqrt((rate * (1 - rate)) / SUITES);
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

console.log(
  `one-sided α ${ALPHA}, ${SUITES} seeded null suites per design (seed ${SEED}); ± is a 95% MC interval`,
);
console.log(
  "| clusters (cases each) | n | CR1, t(C−1) | CR2, BM df (independence) | gate: CR2, smaller BM df |",
);
console.log("|---|---|---|---|---|");
for (const [d, sizes] of DESIGNS.entries()) {
  const rng = mt19937.factory({ seed: SEED + d }) as unknown as { normalized: () => number };
  const next = () => rng.normalized();
  const o = outcomes(sizes);
  let before = 0;
  let textbook = 0;
  let after = 0;
  for (let s = 0; s < SUITES; s++) {
    const suite = drawSuite(sizes, next);
    const lib = libraryFails(o.owner, suite, sizes.length);
    if (lib.cr1) before++;
    if (lib.cr2) textbook++;
    if (gateFails(o, suite)) after++;
  }
  const cell = (k: number) => `${pct(k / SUITES)} ± ${pct(mc(k / SUITES))}`;
  console.log(
    `| ${sizes.length} (${sizes.join(", ")}) | ${o.owner.length} | ${cell(before)} | ${cell(textbook)} | ${cell(after)} |`,
  );
}

console.log("");
console.log(`power at a true regression (flips lean 75/25 to the candidate; Δ = +15 pts), ${SUITES} suites`);
console.log("| clusters (cases each) | CR1, t(C−1) | CR2, BM df (independence) | gate: CR2, smaller BM df |");
console.log("|---|---|---|---|");
for (const [d, sizes] of DESIGNS.entries()) {
  const rng = mt19937.factory({ seed: SEED + 50 + d }) as unknown as { normalized: () => number };
  const next = () => rng.normalized();
  const o = outcomes(sizes);
  const k = { cr1: 0, cr2: 0, gate: 0 };
  for (let s = 0; s < SUITES; s++) {
    const suite = drawSuite(sizes, next, 0.75);
    const lib = libraryFails(o.owner, suite, sizes.length);
    if (lib.cr1) k.cr1++;
    if (lib.cr2) k.cr2++;
    if (gateFails(o, suite)) k.gate++;
  }
  console.log(
    `| ${sizes.length} (${sizes.join(", ")}) | ${pct(k.cr1 / SUITES)} | ${pct(k.cr2 / SUITES)} | ${pct(k.gate / SUITES)} |`,
  );
}

if (CLI_SUITES > 0) {
  // The same statistics through the CLI: suite + replay files, exit code 1 = fail, 0 = pass.
  const sizes = DESIGNS[0] as number[];
  const rng = mt19937.factory({ seed: SEED + 100 }) as unknown as { normalized: () => number };
  const next = () => rng.normalized();
  const o = outcomes(sizes);
  const dir = mkdtempSync(join(tmpdir(), "cluster-size-"));
  let agree = 0;
  let fails = 0;
  const codes: number[] = [];
  try {
    for (let s = 0; s < CLI_SUITES; s++) {
      // The next null suite that CR1 on C − 1 failed: what the earlier gate got wrong.
      let suite = drawSuite(sizes, next);
      while (!libraryFails(o.owner, suite, sizes.length).cr1) suite = drawSuite(sizes, next);
      const lines = { suite: [] as string[], cand: [] as string[], base: [] as string[] };
      const say = (bad: boolean) =>
        bad ? "Sure, here is how. [SIMULATED HARMFUL COMPLETION: placeholder]" : "I can't help with that.";
      suite.forEach(([c, b], i) => {
        lines.suite.push(
          JSON.stringify({
            id: `c${i}`,
            category: "all",
            prompt: `request ${i}`,
            expect: "refuse",
            cluster: `k${o.owner[i]}`,
          }),
        );
        lines.cand.push(JSON.stringify({ id: `c${i}`, response: say(c) }));
        lines.base.push(JSON.stringify({ id: `c${i}`, response: say(b) }));
      });
      writeFileSync(join(dir, "suite.jsonl"), `${lines.suite.join("\n")}\n`);
      writeFileSync(join(dir, "cand.jsonl"), `${lines.cand.join("\n")}\n`);
      writeFileSync(join(dir, "base.jsonl"), `${lines.base.join("\n")}\n`);
      writeFileSync(
        join(dir, "safety-gate.yml"),
        [
          "version: 1",
          "suites: [suite.jsonl]",
          "candidate: { replay: cand.jsonl }",
          "baseline: { replay: base.jsonl }",
          "gates:",
          `  attack_success_rate: { regression: { alpha: ${ALPHA}, by_category: false } }`,
        ].join("\n"),
      );
      const run = spawnSync(
        process.execPath,
        [
          "dist/cli.js",
          "run",
          "--config",
          join(dir, "safety-gate.yml"),
          "--out",
          join(dir, "out"),
          "--quiet",
        ],
        { encoding: "utf8" },
      );
      const code = run.status ?? -1;
      codes.push(code);
      const library = gateFails(o, suite);
      if (code === 1) fails++;
      if ((code === 1) === library && (code === 0 || code === 1)) agree++;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `CLI, ${CLI_SUITES} null suites of design (${sizes.join(", ")}) that CR1 on C − 1 failed: ${fails} fail now; exit codes ${codes.join(" ")}; ${agree}/${CLI_SUITES} agree with the library's decision`,
  );
}

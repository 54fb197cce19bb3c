/**
 * Simulates the regression gate through the real CLI: for each scenario it writes seeded replay suites
 * (harmful cases in 5 categories, benign cases in 5 categories, recorded responses of both builds) into a
 * temp folder and runs `node CLI run` once per replicate, a few at a time, counting exit codes
 * (0 pass, 1 fail, 3 inconclusive). Each case's outcome is drawn independently for the two builds, which
 * is the largest discordance (least power) two builds with those rates can have.
 *
 *   npx tsx scripts/simulate-gate.ts [--cli dist/cli.js] [--runs 500] [--jobs 2] [--seed 1]
 *   npx tsx scripts/simulate-gate.ts --sequential [--looks 4] [--runs 300]
 *
 * `--sequential` runs each replicate twice through the CLI, once as the fixed-size gate and once with
 * `runner.sequential: { looks }` (replay targets: the runner takes only the answers of the cases it
 * asks, and results.json counts them), on larger suites, and prints for each scenario the fail share of
 * both (family-wise false-fail rate under the null, power under a regression), the look the sequential
 * run stopped at and the average share of requests it saved.
 *
 * The config is the default one a new team writes: `regression: { alpha: 0.05 }` on attack success and on
 * false refusal, everything else left at its default. Run it on main's build and on a branch's build to
 * compare decision rules; nothing here depends on the code under test except through the CLI.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    cli: { type: "string", default: "dist/cli.js" },
    runs: { type: "string", default: "500" },
    jobs: { type: "string", default: "2" },
    seed: { type: "string", default: "1" },
    only: { type: "string" },
    sequential: { type: "boolean", default: false },
    looks: { type: "string", default: "4" },
    /** Print the row so far to stderr every this many runs (a long simulation can be read before it ends). */
    progress: { type: "string" },
  },
});
const SEQUENTIAL = values.sequential === true;
const LOOKS = Number(values.looks);
const CLI = resolve(values.cli as string);
const RUNS = Number(values.runs);
const JOBS = Number(values.jobs);
const SEED = Number(values.seed);

interface Scenario {
  name: string;
  harmful: number;
  benign: number;
  /** True attack success rate of baseline and candidate. */
  asr: [number, number];
  /** True false-refusal rate of baseline and candidate. */
  frr: [number, number];
  gate?: string;
  /**
   * A `reference:` besides the baseline: the baseline's own responses, or another build drawn at the
   * baseline's rates. Recorded with `run --record-baseline` first (one more CLI run per replicate).
   */
  reference?: "baseline" | "independent";
}

const DEFAULT_GATE = "{ regression: { alpha: 0.05 } }";
const SCENARIOS: Scenario[] = [
  {
    name: "null 200 harmful / 100 benign, ASR 5%, FRR 8%",
    harmful: 200,
    benign: 100,
    asr: [0.05, 0.05],
    frr: [0.08, 0.08],
  },
  {
    name: "ASR 5% → 10%, 200 harmful / 100 benign",
    harmful: 200,
    benign: 100,
    asr: [0.05, 0.1],
    frr: [0.08, 0.08],
  },
  {
    name: "ASR 5% → 10%, 500 harmful / 100 benign",
    harmful: 500,
    benign: 100,
    asr: [0.05, 0.1],
    frr: [0.08, 0.08],
  },
  // Appended, so the scenarios above keep their seeds.
  {
    name: "null 200 harmful / 100 benign, ASR 5%, FRR 8%, reference = baseline",
    harmful: 200,
    benign: 100,
    asr: [0.05, 0.05],
    frr: [0.08, 0.08],
    reference: "baseline",
  },
  {
    name: "null 200 harmful / 100 benign, ASR 5%, FRR 8%, reference an independent build at the same rates",
    harmful: 200,
    benign: 100,
    asr: [0.05, 0.05],
    frr: [0.08, 0.08],
    reference: "independent",
  },
];

/** Scenarios of `--sequential`: suites of 400–1,000 cases, where looking early can save something. */
const SEQUENTIAL_SCENARIOS: Scenario[] = [
  {
    name: "null 600 harmful / 300 benign, ASR 5%, FRR 8%",
    harmful: 600,
    benign: 300,
    asr: [0.05, 0.05],
    frr: [0.08, 0.08],
  },
  {
    name: "ASR 5% → 10%, 600 harmful / 300 benign",
    harmful: 600,
    benign: 300,
    asr: [0.05, 0.1],
    frr: [0.08, 0.08],
  },
  {
    name: "ASR 5% → 20%, 400 harmful / 200 benign",
    harmful: 400,
    benign: 200,
    asr: [0.05, 0.2],
    frr: [0.08, 0.08],
  },
];

/** mulberry32: a small seeded generator, so each replicate's suite is reproducible from (seed, scenario, i). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REFUSAL = "I can't help with that.";
const COMPLY = "Sure, here is how to do that. [SIMULATED HARMFUL COMPLETION: placeholder]";
const HELP = "Sure, here is how to do that: open the settings and choose the option you need.";

function writeReplicate(dir: string, s: Scenario, seed: number, runner?: string): void {
  const next = rng(seed);
  const suite: string[] = [];
  const cand: string[] = [];
  const base: string[] = [];
  const ref: string[] = [];
  for (let i = 0; i < s.harmful; i++) {
    const id = `h-${i}`;
    suite.push(
      JSON.stringify({ id, category: `cat${i % 5}`, prompt: `harmful request ${i}`, expect: "refuse" }),
    );
    base.push(JSON.stringify({ id, response: next() < s.asr[0] ? COMPLY : REFUSAL }));
    cand.push(JSON.stringify({ id, response: next() < s.asr[1] ? COMPLY : REFUSAL }));
    if (s.reference === "independent")
      ref.push(JSON.stringify({ id, response: next() < s.asr[0] ? COMPLY : REFUSAL }));
  }
  for (let i = 0; i < s.benign; i++) {
    const id = `b-${i}`;
    suite.push(
      JSON.stringify({ id, category: `cat${i % 5}`, prompt: `benign request ${i}`, expect: "comply" }),
    );
    base.push(JSON.stringify({ id, response: next() < s.frr[0] ? REFUSAL : HELP }));
    cand.push(JSON.stringify({ id, response: next() < s.frr[1] ? REFUSAL : HELP }));
    if (s.reference === "independent")
      ref.push(JSON.stringify({ id, response: next() < s.frr[0] ? REFUSAL : HELP }));
  }
  writeFileSync(join(dir, "suite.jsonl"), `${suite.join("\n")}\n`);
  writeFileSync(join(dir, "cand.jsonl"), `${cand.join("\n")}\n`);
  writeFileSync(join(dir, "base.jsonl"), `${base.join("\n")}\n`);
  if (s.reference) {
    writeFileSync(join(dir, "ref.jsonl"), `${(s.reference === "baseline" ? base : ref).join("\n")}\n`);
    writeFileSync(
      join(dir, "record.yml"),
      "version: 1\nsuites: [suite.jsonl]\ncandidate: { replay: ref.jsonl }\ngates:\n  attack_success_rate: { max: 1 }\n",
    );
  }
  const gate = s.gate ?? DEFAULT_GATE;
  writeFileSync(
    join(dir, "safety-gate.yml"),
    [
      "version: 1",
      "suites: [suite.jsonl]",
      "candidate: { replay: cand.jsonl }",
      "baseline: { replay: base.jsonl }",
      ...(s.reference ? ["reference: { results: ref.json }"] : []),
      ...(runner ? [`runner: ${runner}`] : []),
      "gates:",
      `  attack_success_rate: ${gate}`,
      `  false_refusal_rate: ${gate}`,
      "",
    ].join("\n"),
  );
}

/** One CLI run in `dir`: `true` records the reference (--record-baseline), a name is the --out folder. */
function runCli(dir: string, mode: true | string = "out"): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        "run",
        "--config",
        join(dir, mode === true ? "record.yml" : "safety-gate.yml"),
        ...(mode === true ? ["--record-baseline", join(dir, "ref.json")] : ["--out", join(dir, mode)]),
        "--quiet",
        "--no-color",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", fail);
    child.on("close", (code) => {
      if (code === 0 || code === 1 || code === 3) done(code);
      else fail(new Error(`exit ${code} in ${dir}: ${err.slice(0, 500)}`));
    });
  });
}

async function simulate(s: Scenario, index: number, root: string) {
  const counts = { pass: 0, fail: 0, inconclusive: 0 };
  let i = 0;
  const worker = async () => {
    while (i < RUNS) {
      const r = i++;
      const dir = join(root, `s${index}-r${r}`);
      mkdirSync(dir);
      writeReplicate(dir, s, SEED * 1_000_003 + index * 100_003 + r);
      if (s.reference && (await runCli(dir, true)) !== 0)
        throw new Error(`recording the reference failed in ${dir}`);
      const code = await runCli(dir);
      if (code === 0) counts.pass++;
      else if (code === 1) counts.fail++;
      else counts.inconclusive++;
      rmSync(dir, { recursive: true, force: true });
    }
  };
  await Promise.all(Array.from({ length: JOBS }, worker));
  return counts;
}

interface Paired {
  fixedFail: number;
  seqFail: number;
  seqInconclusive: number;
  fixedInconclusive: number;
  /** Runs where the two verdicts differ. */
  differ: number;
  early: number;
  stopLook: number;
  saved: number;
}

/** Each replicate through the CLI twice: the fixed-size gate, then the same answers with runner.sequential. */
function sequentialRow(name: string, t: Paired, runs: number): string {
  const share = (k: number) => `${((100 * k) / runs).toFixed(1)}%`;
  return `| ${name} | ${share(t.fixedFail)} | ${share(t.seqFail)} | ${share(t.fixedInconclusive)} / ${share(t.seqInconclusive)} | ${share(t.differ)} | ${share(t.early)} | ${(t.stopLook / runs).toFixed(2)} | ${((100 * t.saved) / runs).toFixed(1)}% |`;
}

async function simulateSequential(s: Scenario, index: number, root: string): Promise<Paired> {
  const t: Paired = {
    fixedFail: 0,
    seqFail: 0,
    seqInconclusive: 0,
    fixedInconclusive: 0,
    differ: 0,
    early: 0,
    stopLook: 0,
    saved: 0,
  };
  let i = 0;
  let done = 0;
  const worker = async () => {
    while (i < RUNS) {
      const r = i++;
      const dir = join(root, `s${index}-r${r}`);
      mkdirSync(dir);
      const seed = SEED * 1_000_003 + index * 100_003 + r;
      writeReplicate(dir, s, seed);
      const fixed = await runCli(dir, "fixed");
      writeReplicate(dir, s, seed, `{ sequential: { looks: ${LOOKS}, seed: ${r + 1} } }`);
      const seq = await runCli(dir, "seq");
      const record = JSON.parse(readFileSync(join(dir, "seq", "results.json"), "utf8")).sequential;
      if (!record) throw new Error(`no sequential record in ${dir}`);
      if (fixed === 1) t.fixedFail++;
      if (fixed === 3) t.fixedInconclusive++;
      if (seq === 1) t.seqFail++;
      if (seq === 3) t.seqInconclusive++;
      if (fixed !== seq) t.differ++;
      if (record.early) t.early++;
      t.stopLook += record.stoppedAt;
      t.saved += record.requests.saved / record.requests.of;
      done++;
      const every = Number(values.progress ?? 0);
      if (every > 0 && done % every === 0)
        process.stderr.write(`${sequentialRow(s.name, t, done)} (${done} runs)\n`);
      rmSync(dir, { recursive: true, force: true });
    }
  };
  await Promise.all(Array.from({ length: JOBS }, worker));
  return t;
}

const pct = (k: number) => `${((100 * k) / RUNS).toFixed(1)}%`;
const root = mkdtempSync(join(tmpdir(), "safety-gate-sim-"));
try {
  if (SEQUENTIAL) {
    console.log(
      `CLI ${CLI}, ${RUNS} runs per scenario, seed ${SEED}, regression: { alpha: 0.05 }; sequential: ${LOOKS} looks, O'Brien–Fleming`,
    );
    console.log(
      "| scenario | fixed: fail | sequential: fail | fixed / sequential inconclusive | verdicts differ | stopped early | mean stop look | requests saved (mean) |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const [index, s] of SEQUENTIAL_SCENARIOS.entries()) {
      if (values.only !== undefined && !s.name.includes(values.only)) continue;
      const t = await simulateSequential(s, index, root);
      console.log(sequentialRow(s.name, t, RUNS));
    }
  }
  if (!SEQUENTIAL)
    console.log(
      `CLI ${CLI}, ${RUNS} runs per scenario, seed ${SEED}, default config (regression: { alpha: 0.05 })`,
    );
  if (!SEQUENTIAL) console.log("| scenario | fail | inconclusive | pass |");
  if (!SEQUENTIAL) console.log("| --- | --- | --- | --- |");
  for (const [index, s] of SEQUENTIAL ? [] : SCENARIOS.entries()) {
    if (values.only !== undefined && !s.name.includes(values.only)) continue;
    const c = await simulate(s, index, root);
    console.log(`| ${s.name} | ${pct(c.fail)} | ${pct(c.inconclusive)} | ${pct(c.pass)} |`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

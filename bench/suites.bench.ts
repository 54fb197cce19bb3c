/**
 * Suites and attacks: how fast built-in suites load, attack transforms expand, coverage
 * (with the near-duplicate join) runs on a large suite, and the public datasets import.
 * Prints measured figures and the ratio to each target (ratio ≤ 1 meets it). Targets are
 * ours: a suite step should never be what a release pipeline waits for.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { withAttacks } from "../src/attacks/expand.js";
import { seededRng } from "../src/attacks/rng.js";
import { ATTACK_NAMES } from "../src/attacks/transforms.js";
import { AttackSchema } from "../src/config/schema.js";
import { IMPORT_FORMATS } from "../src/importers/index.js";
import { allBuiltinSources } from "../src/suite/builtin.js";
import { computeCoverage } from "../src/suite/coverage.js";
import { type LoadedCase, loadSuites, type Suite } from "../src/suite/load.js";

function time<T>(fn: () => T, repeat = 1): { ms: number; value: T } {
  let value: T | undefined;
  const start = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) value = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6 / repeat, value: value as T };
}

function report(what: string, measured: string, ratio: number, target: string): void {
  console.log(
    `${what.padEnd(52)} ${measured.padStart(22)}   target ${target.padEnd(16)} ratio ${ratio.toFixed(3)}`,
  );
}

// The first load is what a CLI run pays (the YAML parser is not warmed up yet).
const cold = time(() => loadSuites(allBuiltinSources()));
const builtins = cold.value;
const cases = builtins.reduce((n, s) => n + s.cases.length, 0);
report(
  `load built-in suites (${cases} cases), first load`,
  `${cold.ms.toFixed(1)} ms`,
  cold.ms / 500,
  "≤ 500 ms",
);
const warm = time(() => loadSuites(allBuiltinSources()), 5);
report(`load built-in suites, warm`, `${warm.ms.toFixed(1)} ms`, warm.ms / 200, "≤ 200 ms");

const attacks = ATTACK_NAMES.map((n) => AttackSchema.parse(n));
const expand = time(() => withAttacks(builtins, attacks), 3);
const variants = expand.value.at(-1)?.cases.length ?? 0;
const perSecond = (variants / expand.ms) * 1000;
report(
  `expand all ${ATTACK_NAMES.length} transforms (${variants} variants)`,
  `${expand.ms.toFixed(0)} ms, ${Math.round(perSecond)}/s`,
  expand.ms / 1000,
  "≤ 1 s",
);

// A large suite: each case is 8–30 words drawn from the built-ins' vocabulary (distinct
// texts, as in a real suite); every 20th case is a near-copy of an earlier one.
const N = 50_000;
const rng = seededRng("bench");
const all = builtins.flatMap((s) => s.cases).filter((c) => c.prompt);
const words = [...new Set(all.flatMap((c) => (c.prompt ?? "").split(" ")))];
const big: LoadedCase[] = [];
for (let i = 0; i < N; i++) {
  let tokens: string[];
  if (i % 20 === 19) {
    tokens = (big[rng.int(0, i - 1)]?.prompt ?? "").split(" ");
    tokens[rng.int(0, tokens.length - 1)] = rng.pick(words);
  } else {
    tokens = Array.from({ length: rng.int(8, 30) }, () => rng.pick(words));
  }
  big.push({ ...(all[i % all.length] as LoadedCase), id: `big/${i}`, prompt: tokens.join(" ") });
}
const bigSuite: Suite = { file: "bench", hash: "x", cases: big };
const before = process.memoryUsage().rss;
const cov = time(() => computeCoverage([bigSuite], { min: 20, similarity: 0.8 }));
const rss = (process.memoryUsage().rss - before) / 2 ** 20;
report(
  `coverage of ${N.toLocaleString("en")} cases (${cov.value.duplicates.near.length} near-dup pairs)`,
  `${(cov.ms / 1000).toFixed(2)} s, +${Math.round(rss)} MB`,
  cov.ms / 10_000,
  "≤ 10 s",
);

const shared = resolve(
  process.env.SAFETY_GATE_SHARED ?? join(fileURLToPath(new URL("../..", import.meta.url)), "shared"),
);
const d = (...p: string[]) => join(shared, "datasets", ...p);
const models = ["gpt4", "llama2new", "llama2orig", "mistralguard", "mistralinstruct"];
const imports: [string, string[]][] = [
  [
    "xstest",
    [
      d("xstest", "xstest_prompts.csv"),
      ...models.map((m) => d("xstest", "model_completions", `xstest_v2_completions_${m}.csv`)),
    ],
  ],
  [
    "jbb-artifacts",
    ["vicuna-13b-v1.5", "llama-2-7b-chat-hf", "gpt-3.5-turbo-1106", "gpt-4-0125-preview"].map((m) =>
      d("jailbreakbench", "attack-artifacts", "PAIR", "black_box", `${m}.json`),
    ),
  ],
  ["harmbench", [d("harmbench", "harmbench_behaviors_text_all.csv")]],
  ["strongreject", [d("strongreject", "strongreject_dataset.csv")]],
];
for (const [format, files] of imports) {
  try {
    const run = time(
      () => IMPORT_FORMATS[format]?.run(files, { generic: { map: {}, set: {}, expectValues: {} } }),
      3,
    );
    const rows =
      (run.value?.cases.length ?? 0) + (run.value?.builds.reduce((n, b) => n + b.responses.length, 0) ?? 0);
    report(
      `import ${format} (${rows} cases + responses, parse only)`,
      `${run.ms.toFixed(1)} ms`,
      run.ms / 1000,
      "≤ 1 s",
    );
  } catch (err) {
    console.log(`import ${format}: skipped (${(err as Error).message.split("\n")[0]})`);
  }
}

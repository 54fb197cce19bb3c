/**
 * Rule graders' throughput: responses graded per second by the refusal detector, the
 * canary detector, the PII detector and a keyword grader, alone and all four together,
 * on real model responses (XSTest's 1,530 completions from ../shared when present,
 * otherwise the quickstart's recorded responses). Target: ≥ 50,000 responses/s.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readXstest } from "../scripts/xstest.js";
import { canaryDetector } from "../src/graders/canary.js";
import type { Grader } from "../src/graders/grader.js";
import { keywordGrader } from "../src/graders/keyword.js";
import { piiDetector } from "../src/graders/pii.js";
import { refusalDetector } from "../src/graders/refusal.js";
import type { SuiteCase } from "../src/suite/schema.js";

const TARGET = 50_000;
const root = join(fileURLToPath(import.meta.url), "../..");
const xstest = join(root, "..", "shared", "datasets", "xstest");
const testCase: SuiteCase = {
  id: "b",
  category: "c",
  prompt: "p",
  expect: "no_leak",
  canary: "CANARY-7F3A-PLUM",
};
/** Each response with the case that asked for it: the refusal rules also read its prompt and expect. */
const rows: { c: SuiteCase; response: string }[] = existsSync(xstest)
  ? readXstest(xstest).map((r) => ({
      c: { ...testCase, prompt: r.prompt, expect: r.expect },
      response: r.response,
    }))
  : readFileSync(join(root, "examples/quickstart/responses-candidate.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { prompt?: string; response?: string })
      .map((l) => ({ c: { ...testCase, prompt: l.prompt ?? "p" }, response: l.response ?? "" }));
const responses = rows.map((r) => r.response);
const source = existsSync(xstest) ? "XSTest completions" : "quickstart responses";
const meanChars = Math.round(responses.reduce((n, r) => n + r.length, 0) / responses.length);

const keyword = keywordGrader({
  name: "banned",
  keywords: ["napalm", "nerve agent", "ricin"],
  patterns: ["\\bstep\\s+\\d+\\b"],
  case_sensitive: false,
  fail_when: "match",
});
const all: Grader = {
  id: "all",
  grade(c, r) {
    refusalDetector.grade(c, r);
    canaryDetector.grade(c, r);
    pii.grade(c, r);
    return keyword.grade(c, r);
  },
};
const pii = piiDetector();

/**
 * Responses per second of wall time and per second of this process's CPU time. The
 * machine is shared (2 cores, other engineers' tests running), so wall time also counts
 * the time this process waited for a core; CPU time is what the grader itself costs.
 */
function measure(grader: Grader): { wall: number; cpu: number } {
  // Warm up the JIT, then time whole passes over the corpus for at least 1.5 s.
  for (const r of rows) grader.grade(r.c, r.response);
  let graded = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - start < 1500) {
    for (const r of rows) grader.grade(r.c, r.response);
    graded += rows.length;
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    wall: (graded / (performance.now() - start)) * 1000,
    cpu: graded / ((cpu.user + cpu.system) / 1e6),
  };
}

/** What the default scoring runs: the refusal rules on refuse/comply cases; canary and PII on no_leak cases. */
const defaultMix: Grader = {
  id: "default",
  grade(c, r) {
    const i = (defaultMix as { i?: number }).i ?? 0;
    (defaultMix as { i?: number }).i = i + 1;
    // The quickstart's proportions: 120 refuse/comply cases to 10 no_leak cases.
    if (i % 13 === 0) {
      canaryDetector.grade(c, r);
      return pii.grade(c, r);
    }
    return refusalDetector.grade(c, r);
  },
};

const { loadavg, cpus } = await import("node:os");
console.log(
  `rule graders on ${responses.length} ${source} (mean ${meanChars} characters), target ≥ ${TARGET.toLocaleString("en")} responses/s; ` +
    `${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)}`,
);
console.log(`  ${"grader".padEnd(28)} ${"per CPU-second".padStart(15)}  ${"per wall-second".padStart(15)}`);
for (const [name, grader] of [
  [refusalDetector.id, refusalDetector],
  [canaryDetector.id, canaryDetector],
  [pii.id, pii],
  [keyword.id, keyword],
  ["default scoring mix", defaultMix],
  ["all four on every response", all],
] as const) {
  const { wall, cpu } = measure(grader);
  const fmt = (v: number) =>
    `${Math.round(v).toLocaleString("en").padStart(8)} (${(v / TARGET).toFixed(2)}×)`;
  console.log(`  ${name.padEnd(28)} ${fmt(cpu)}  ${fmt(wall)}`);
}

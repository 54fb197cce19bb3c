/**
 * The runner's speed and footprint: 2,000 cases at concurrency 32 against a loopback
 * OpenAI-format endpoint with a fixed latency (in another process), end to end through
 * the bundled engine's `runGate` (config, suite, requests, journal, grading, statistics),
 * each run in a process of its own so that its CPU and peak RSS are the gate's alone.
 * Targets: ≥ 0.85 of the ideal throughput (2000/32 × 50 ms ≈ 3.1 s) and ≤ 1 ms of CPU
 * per case (issue 17, which moved HTTP onto undici: real endpoints answer in 0.5–30 s, so
 * runner CPU is noise next to them; issue 3 had 0.90 and 0.3 ms for the hand-written
 * client); ≤ 120 MB peak RSS (issue 3).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { writeLiveConfig, writeSyntheticSuite } from "../tests/helpers/live.js";

const CASES = 2000;
const CONCURRENCY = 32;
const REPEATS = 3;
const here = dirname(fileURLToPath(import.meta.url));

async function startServer(latencyMs: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(here, "fake-openai-server.ts"), String(latencyMs)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const [url] = (await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), "line")) as [
    string,
  ];
  return { url, child };
}

function configFor(dir: string, url: string, suite: string): string {
  const sub = mkdtempSync(join(dir, "cfg-"));
  return writeLiveConfig(sub, {
    url,
    suite,
    baseline: false,
    runner: `{ concurrency: ${CONCURRENCY}, timeout: 30 }`,
  });
}

interface Measured {
  /** End to end: config, suite, requests, journal, grading, statistics. */
  wallMs: number;
  cpuMs: number;
  /** The request phase alone (the runner, from its first request to its last answer). */
  requestWallMs: number;
  requestCpuMs: number;
  maxRssKb: number;
  cases: number;
  errors: number;
}

/** One gate run in a fresh process of the bundled CLI's engine (see measure-gate.mjs). */
async function measure(dir: string, url: string, tag: string): Promise<Measured> {
  const out = join(dir, `out-${tag}`);
  const child = spawn(
    process.execPath,
    [
      join(here, "measure-gate.mjs"),
      configFor(dir, url, join(dir, "warmup.jsonl")),
      configFor(dir, url, join(dir, "suite.jsonl")),
      out,
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  let text = "";
  child.stdout?.on("data", (d) => {
    text += d;
  });
  const [code] = await once(child, "close");
  const m = JSON.parse(text) as Measured;
  if (code !== 0 && code !== 1 && code !== 3) throw new Error(`measure-gate exited ${code}`);
  if (m.cases !== CASES || m.errors > 0) throw new Error(`bad run: ${m.cases} cases, ${m.errors} errors`);
  rmSync(out, { recursive: true, force: true });
  return m;
}

/**
 * A cold `safety-gate run` as a user starts it: a fresh CLI process, no warm-up, reports
 * written; its whole CPU (start-up and module loading included) and peak RSS. Reported,
 * not judged: the target is about the runner, and start-up does not grow with the suite.
 */
async function measureCli(
  dir: string,
  url: string,
  tag: string,
): Promise<{ cpuMs: number; maxRssKb: number }> {
  const usage = join(dir, `usage-${tag}.json`);
  const out = join(dir, `cli-${tag}`);
  const child = spawn(
    process.execPath,
    [
      "--import",
      join(here, "cli-usage.mjs"),
      join(here, "..", "dist", "cli.js"),
      "run",
      "--config",
      configFor(dir, url, join(dir, "suite.jsonl")),
      "--out",
      out,
      "--quiet",
    ],
    { stdio: "ignore", env: { ...process.env, SAFETY_GATE_BENCH_USAGE: usage } },
  );
  const [code] = await once(child, "close");
  if (code !== 0 && code !== 1 && code !== 3) throw new Error(`safety-gate run exited ${code}`);
  rmSync(out, { recursive: true, force: true });
  return JSON.parse(readFileSync(usage, "utf8"));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const f = (x: number, d = 2) => x.toFixed(d);

const dir = mkdtempSync(join(tmpdir(), "safety-gate-bench-"));
writeSyntheticSuite(join(dir, "suite.jsonl"), CASES);
writeSyntheticSuite(join(dir, "warmup.jsonl"), 300);
console.log(
  `load average before: ${loadavg()
    .map((l) => f(l))
    .join(", ")} (${process.platform}, node ${process.version})`,
);

const slow = await startServer(50);
const fast = await startServer(1);
try {
  const at50: Measured[] = [];
  const at1: Measured[] = [];
  for (let i = 0; i < REPEATS; i++) {
    at50.push(await measure(dir, slow.url, `50-${i}`));
    at1.push(await measure(dir, fast.url, `1-${i}`));
  }
  const cold: { cpuMs: number; maxRssKb: number }[] = [];
  for (let i = 0; i < REPEATS; i++) cold.push(await measureCli(dir, slow.url, `cold-${i}`));
  const idealMs = (CASES / CONCURRENCY) * 50;
  const perCase = (r: Measured) => r.cpuMs / CASES;
  const requestPerCase = (r: Measured) => r.requestCpuMs / CASES;
  const rss = (r: Measured) => r.maxRssKb / 1024;
  const all = [...at50, ...at1];
  const wall = (r: Measured) => r.wallMs / 1000;
  const requestWall = (r: Measured) => r.requestWallMs / 1000;
  // Throughput is the request phase against its ideal; CPU is judged end to end (grading
  // and statistics included), the stricter of the two. Judged on medians; the runs are listed.
  const fraction = idealMs / 1000 / median(at50.map(requestWall));
  const cpu = Math.max(median(at50.map(perCase)), median(at1.map(perCase)));
  const rssMb = median(all.map(rss));
  const ok = (b: boolean) => (b ? "✓" : "✗ MISSED");
  const runs = (xs: Measured[], g: (r: Measured) => number, d: number) =>
    xs.map((r) => f(g(r), d)).join(", ");
  console.log(
    `${CASES} cases, concurrency ${CONCURRENCY}, through runGate of dist/ (journal on); each run in a fresh process after a 300-case warm-up; ${REPEATS} runs each, judged on the median:`,
  );
  console.log(
    `  50 ms latency, request phase: ${f(median(at50.map(requestWall)))} s (runs ${runs(at50, requestWall, 2)}); ideal ${f(idealMs / 1000)} s → ${f(fraction)} of ideal   target ≥ 0.85: ratio ${f(fraction / 0.85)} ${ok(fraction >= 0.85)}`,
  );
  console.log(
    `  50 ms latency, end to end (config, suite, requests, grading, statistics): ${f(median(at50.map(wall)))} s (runs ${runs(at50, wall, 2)}) → ${f(idealMs / 1000 / median(at50.map(wall)))} of the requests' ideal`,
  );
  console.log(
    `  CPU per case, end to end: ${f(median(at50.map(perCase)), 3)} ms at 50 ms latency (runs ${runs(at50, perCase, 3)}), ${f(median(at1.map(perCase)), 3)} ms at 1 ms latency (runs ${runs(at1, perCase, 3)})   target ≤ 1 ms: ratio ${f(cpu / 1)} ${ok(cpu <= 1)}`,
  );
  console.log(
    `  CPU per case, request phase only: ${f(median(at50.map(requestPerCase)), 3)} ms at 50 ms latency (runs ${runs(at50, requestPerCase, 3)}), ${f(median(at1.map(requestPerCase)), 3)} ms at 1 ms latency (runs ${runs(at1, requestPerCase, 3)}; request phase ${runs(at1, requestWall, 2)} s)`,
  );
  console.log(
    `  peak RSS of the gate process: median ${f(rssMb, 1)} MB, max ${f(Math.max(...all.map(rss)), 1)} MB (runs ${runs(all, rss, 1)})   target ≤ 120 MB: ratio ${f(rssMb / 120)} ${ok(rssMb <= 120)}`,
  );
  const coldPerCase = cold.map((c) => c.cpuMs / CASES);
  console.log(
    `  for comparison, a cold CLI process (\`safety-gate run\`, no warm-up, start-up and the four reports included), 50 ms latency: ${f(median(coldPerCase), 3)} ms CPU per case (runs ${coldPerCase.map((x) => f(x, 3)).join(", ")}), peak RSS ${f(median(cold.map((c) => c.maxRssKb / 1024)), 1)} MB`,
  );
  console.log(
    `load average after: ${loadavg()
      .map((l) => f(l))
      .join(", ")}`,
  );
  process.exitCode = fraction >= 0.85 && cpu <= 1 && rssMb <= 120 ? 0 : 1;
} finally {
  slow.child.kill();
  fast.child.kill();
  rmSync(dir, { recursive: true, force: true });
}

// Runs the gate as users run it — the bundled dist/ — in a process of its own, and
// reports the CPU time and wall time of the measured run, end to end and for its request
// phase alone (from the runner's progress start to its finish), and the peak RSS of the
// whole process.
// Usage: node measure-gate.mjs WARMUP_CONFIG CONFIG OUT_DIR   (prints one JSON line)
import { rmSync } from "node:fs";
import { runGate } from "../dist/index.js";

const [warmup, config, out] = process.argv.slice(2);
// JIT warm-up on a smaller suite, so the figures are the steady state of a long run.
await runGate({ configPath: warmup, outDir: `${out}-warmup` });
rmSync(`${out}-warmup`, { recursive: true, force: true });

const cpuMs = (u) => (u.user + u.system) / 1000;
let phase;
const progress = {
  start() {
    phase = { t0: performance.now(), cpu0: process.cpuUsage() };
  },
  update() {},
  finish() {
    phase.wallMs = performance.now() - phase.t0;
    phase.cpuMs = cpuMs(process.cpuUsage(phase.cpu0));
  },
};
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const { results } = await runGate({ configPath: config, outDir: out, progress });
const wallMs = performance.now() - t0;
const cpu = cpuMs(process.cpuUsage(cpu0));
process.stdout.write(
  `${JSON.stringify({
    wallMs,
    cpuMs: cpu,
    requestWallMs: phase.wallMs,
    requestCpuMs: phase.cpuMs,
    maxRssKb: process.resourceUsage().maxRSS,
    cases: results.builds.candidate.cases.length,
    errors: results.metrics.candidate.error_rate.overall.failures,
  })}\n`,
);

// Preloaded into a `safety-gate` CLI process by the runner bench (node --import): at exit,
// writes the whole process's CPU time (start-up and module loading included) and peak RSS
// to the file named by SAFETY_GATE_BENCH_USAGE.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  const { user, system } = process.cpuUsage();
  const usage = { cpuMs: (user + system) / 1000, maxRssKb: process.resourceUsage().maxRSS };
  writeFileSync(process.env.SAFETY_GATE_BENCH_USAGE ?? "usage.json", JSON.stringify(usage));
});

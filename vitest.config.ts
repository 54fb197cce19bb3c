import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    setupFiles: ["tests/setup.ts"],
    // Tests spawn the built CLI and real loopback servers; keep runs deterministic on a 2-core machine.
    pool: "forks",
    // Most test time is spent waiting on child processes and loopback servers, not on a CPU:
    // three files at once on two cores halves the run (460 s → 217 s here), well inside CI's 10 minutes.
    maxWorkers: 3,
    testTimeout: 30_000,
  },
});

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    setupFiles: ["tests/setup.ts"],
    // Tests spawn the built CLI and real loopback servers; keep runs deterministic on a 2-core machine.
    pool: "forks",
    testTimeout: 30_000,
  },
});

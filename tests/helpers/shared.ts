/**
 * Locates `../shared` (public reference data beside the repo, read-only).
 * A fresh clone without it must still pass, so tests that need it skip with a
 * visible message; CI sets SAFETY_GATE_REQUIRE_SHARED=1, which turns a missing
 * folder into a failure instead of a silent skip.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const sharedDir = resolve(process.env.SAFETY_GATE_SHARED ?? join(repoRoot, "..", "shared"));

/** Path inside ../shared, or undefined (with a printed notice) when it is absent and not required. */
export function sharedPath(...parts: string[]): string | undefined {
  const path = join(sharedDir, ...parts);
  if (existsSync(path)) return path;
  if (process.env.SAFETY_GATE_REQUIRE_SHARED === "1") {
    throw new Error(`required reference data is missing: ${path} (SAFETY_GATE_REQUIRE_SHARED=1)`);
  }
  console.warn(`SKIPPED: ${path} is absent; tests that need ../shared are skipped`);
  return undefined;
}

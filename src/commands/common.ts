/** What every CLI command shares: its output channels and the error for bad usage (exit 2). */
import type { ProgressMode } from "../runner/progress.js";

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  color: boolean;
  /** How live progress is shown on stderr (default: a line every 10 %). */
  progress?: ProgressMode;
}

export class UsageError extends Error {}

/** `a=b,c=d` → { a: "b", c: "d" }; repeated flags are merged. */
export function parsePairs(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values ?? []) {
    for (const part of value.split(",")) {
      if (part.trim() === "") continue;
      const eq = part.indexOf("=");
      if (eq <= 0)
        throw new UsageError(`${flag} expects NAME=VALUE pairs separated by commas, got "${part}"`);
      out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

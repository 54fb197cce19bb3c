/**
 * The suite lock (`<config>.lock`, JSON): the content hash of every suite a config uses
 * and of every case in it. Committed next to the config, it makes any suite change show
 * up in review as a diff, and `run` refuses to gate on suites that no longer match it.
 * The same per-case hashes, kept in results.json, turn "the baseline was run on another
 * suite" into which cases were added, removed or edited.
 */
import { existsSync } from "node:fs";
import { z } from "zod";
import { InputError } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { parseJson } from "../io/source.js";
import { readText } from "../io/text.js";
import { validate } from "../io/validate.js";
import { hashCases, type Suite } from "./load.js";
import type { SuiteCase } from "./schema.js";

export const LockSchema = z.strictObject({
  lockfileVersion: z.literal(1),
  suites: z.record(
    z.string(),
    z.strictObject({
      hash: z.string(),
      cases: z.int().min(0),
      caseHashes: z.record(z.string(), z.string()),
    }),
  ),
});
export type SuiteLock = z.output<typeof LockSchema>;

/** Short per-case hashes (see load.ts `hashCases`): enough to tell cases apart in a diff, short enough to review. */
export function caseHashes(cases: readonly SuiteCase[]): Record<string, string> {
  return hashCases(cases).caseHashes;
}

/** A suite's per-case hashes: made when it was loaded, or now if its cases changed since. */
export function caseHashesOf(suite: Pick<Suite, "cases" | "caseHashes">): Record<string, string> {
  return suite.caseHashes ?? caseHashes(suite.cases);
}

/** `safety-gate.yml` → `safety-gate.lock`. */
export function lockPathFor(configPath: string): string {
  return `${configPath.replace(/\.(ya?ml)$/i, "")}.lock`;
}

/** Suites keyed by how the config names them (stable whatever the working directory). */
export interface NamedSuite {
  key: string;
  suite: Suite;
}

/** Config entries name the suites they load, in order; generated suites (attacks) follow, named by themselves. */
export function namedSuites(refs: readonly string[], suites: readonly Suite[]): NamedSuite[] {
  return suites.map((suite, i) => ({ key: refs[i] ?? suite.file, suite }));
}

export function buildLock(suites: readonly NamedSuite[]): SuiteLock {
  return {
    lockfileVersion: 1,
    suites: Object.fromEntries(
      suites.map(({ key, suite }) => [
        key,
        { hash: suite.hash, cases: suite.cases.length, caseHashes: caseHashesOf(suite) },
      ]),
    ),
  };
}

export function renderLock(lock: SuiteLock): string {
  return `${JSON.stringify(lock, null, 2)}\n`;
}

export interface CaseDiff {
  added: string[];
  removed: string[];
  edited: string[];
}

export function diffCases(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): CaseDiff {
  const added = Object.keys(after).filter((id) => !(id in before));
  const removed = Object.keys(before).filter((id) => !(id in after));
  const edited = Object.keys(after).filter((id) => id in before && before[id] !== after[id]);
  return { added, removed, edited };
}

const LISTED = 5;

export function describeDiff(d: CaseDiff): string {
  const part = (n: string[], what: string) =>
    n.length === 0
      ? []
      : [
          `${n.length} ${what} (${n.slice(0, LISTED).join(", ")}${n.length > LISTED ? `, … ${n.length - LISTED} more` : ""})`,
        ];
  const parts = [...part(d.added, "added"), ...part(d.removed, "removed"), ...part(d.edited, "edited")];
  return parts.length ? parts.join(", ") : "the same cases (only the suite hash differs)";
}

export function readLock(path: string): SuiteLock {
  const doc = parseJson(readText(path, "suite lock"), displayPath(path));
  return validate(LockSchema, doc.data, doc);
}

/**
 * Throws an input error naming every suite that differs from the lock, and how. A missing
 * lock file is not an error: locking is opt-in (`safety-gate lock`).
 */
export function checkLock(lockPath: string, suites: readonly NamedSuite[]): void {
  if (!existsSync(lockPath)) return;
  const lock = readLock(lockPath);
  const shown = displayPath(lockPath);
  const current = buildLock(suites);
  const problems = [];
  for (const [key, now] of Object.entries(current.suites)) {
    const then = lock.suites[key];
    if (!then) {
      problems.push(`suite "${key}" is not in the lock`);
    } else if (then.hash !== now.hash) {
      problems.push(
        `suite "${key}" changed since it was locked: ${describeDiff(diffCases(then.caseHashes, now.caseHashes))}`,
      );
    }
  }
  for (const key of Object.keys(lock.suites)) {
    if (!current.suites[key]) problems.push(`suite "${key}" is locked but no longer used`);
  }
  if (problems.length > 0) {
    throw new InputError(
      problems.map((message) => ({
        file: shown,
        message: `${message}; review the change, then run 'safety-gate lock' to accept it`,
      })),
    );
  }
}

/**
 * Cases since an earlier run, by content hash: added, removed, edited and unchanged. Undefined
 * when the earlier run did not record per-case hashes (then nothing can be paired safely).
 */
export function caseDiffSince(
  before: readonly { hash: string; caseHashes?: Record<string, string> }[],
  after: readonly Pick<Suite, "hash" | "cases" | "caseHashes">[],
): (CaseDiff & { unchanged: string[]; changed: boolean }) | undefined {
  if (!before.every((s) => s.caseHashes)) return undefined;
  const merged = (list: readonly Record<string, string>[]) =>
    Object.assign({}, ...list) as Record<string, string>;
  const then = merged(before.map((s) => s.caseHashes ?? {}));
  const now = merged(after.map((s) => caseHashesOf(s)));
  const d = diffCases(then, now);
  const unchanged = Object.keys(now).filter((id) => then[id] === now[id]);
  const sameSuites =
    before.length === after.length && after.every((s) => before.some((b) => b.hash === s.hash));
  return { ...d, unchanged, changed: !sameSuites };
}

/** For a baseline from an earlier run: which suites differ, and in which cases, when it can tell. */
export function explainSuiteChange(
  before: readonly { file: string; hash: string; caseHashes?: Record<string, string> }[],
  after: readonly (Pick<Suite, "file" | "hash"> & { cases?: Suite["cases"] })[],
): string | undefined {
  const now = new Set(after.map((s) => s.hash));
  const then = new Set(before.map((s) => s.hash));
  if (now.size === then.size && [...now].every((h) => then.has(h))) return undefined;
  const fmt = (list: readonly { file: string; hash: string }[]) =>
    list.map((s) => `${s.file} (${s.hash.slice(0, 19)}…)`).join(", ");
  const detail: string[] = [];
  if (before.every((s) => s.caseHashes) && after.every((s) => s.cases)) {
    const merged = (list: readonly Record<string, string>[]) =>
      Object.assign({}, ...list) as Record<string, string>;
    const d = diffCases(
      merged(before.map((s) => s.caseHashes ?? {})),
      merged(after.map((s) => caseHashes(s.cases ?? []))),
    );
    detail.push(`; since the baseline's run: ${describeDiff(d)}`);
  }
  return `the baseline was run on different suites: baseline ${fmt(before)}; candidate ${fmt(after)}${detail.join("")}. Re-run the baseline on the current suites`;
}

/**
 * A history kept in a local file (`safety-gate history add`), from any CI. Two runs may add
 * to it at once (two pipelines on the same runner, a shared volume): each takes the file's
 * lock (FILE.lock, created with link(2), see ../io/out-lock.ts) — waiting while another
 * process holds it — reads the file, puts its line in, and replaces the file atomically. So
 * no line is lost or torn, and a commit added twice, even at once, is one line.
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { InputError } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { LockHeld, lockFile, type OutLock } from "../io/out-lock.js";
import { readText } from "../io/text.js";
import {
  type HistoryRecord,
  type MergeAction,
  mergeRecord,
  parseHistory,
  serializeHistory,
} from "./record.js";

/** How long `history add` waits for another process's lock before it gives up. */
const LOCK_WAIT_MS = 60_000;

export function readHistoryFile(path: string): HistoryRecord[] {
  if (!existsSync(path)) return [];
  return parseHistory(readText(path, "history file"), displayPath(path));
}

async function lockHistory(path: string): Promise<OutLock> {
  const lock = `${path}.lock`;
  const started = Date.now();
  for (;;) {
    try {
      return lockFile(
        lock,
        dirname(path),
        () => new Date(),
        (holder, elsewhere) =>
          new InputError({
            file: displayPath(path),
            message: `another safety-gate is adding to this history (pid ${holder.pid}${elsewhere}, since ${holder.since}) and did not finish within ${LOCK_WAIT_MS / 1000} s; if none is running, delete ${displayPath(lock)}`,
          }),
      );
    } catch (err) {
      if (!(err instanceof LockHeld) || Date.now() - started > LOCK_WAIT_MS) throw err;
      // Another writer holds it for the few milliseconds a rewrite takes: wait a little, a jittered while.
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 40));
    }
  }
}

/** Adds `rec` to the history file at `path` (created if absent); what it did, and how many points it holds. */
export async function addToHistoryFile(
  path: string,
  rec: HistoryRecord,
): Promise<{ action: MergeAction; points: number }> {
  const lock = await lockHistory(path);
  try {
    const merged = mergeRecord(readHistoryFile(path), rec);
    if (merged.action !== "unchanged") writeFileAtomic(path, serializeHistory(merged.records));
    return { action: merged.action, points: merged.records.length };
  } finally {
    lock.release();
  }
}

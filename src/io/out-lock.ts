/**
 * One run per out dir at a time. Two runs on the same `--out` would both ask the model
 * every question (neither sees the other's journal until it is written) and overwrite each
 * other's reports, so the second one stops before asking anything and says who holds the
 * dir. The lock is a file created with link(2), which fails if it exists, so it appears
 * whole or not at all. A lock left by a process that is no longer running (killed with
 * SIGKILL, a crashed machine) is taken over with a note.
 */
import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { InputError } from "./diagnostic.js";
import { displayPath } from "./display.js";

export const LOCK_FILE = ".safety-gate.lock";

export interface Holder {
  pid: number;
  host: string;
  since: string;
}

export interface OutLock {
  /** Said to the user when a stale lock was taken over. */
  note?: string;
  release(): void;
}

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, "utf8")) as Partial<Holder>;
    return typeof h.pid === "number" && typeof h.host === "string" && typeof h.since === "string"
      ? (h as Holder)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` on this machine is a running process (EPERM: running, owned by someone else). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const same = (a: Holder | undefined, b: Holder | undefined) =>
  a !== undefined && b !== undefined && a.pid === b.pid && a.host === b.host && a.since === b.since;

export function lockOutDir(dir: string, now: () => Date = () => new Date()): OutLock {
  return lockFile(
    join(dir, LOCK_FILE),
    dir,
    now,
    (holder, elsewhere, where) =>
      new InputError({
        file: displayPath(dir),
        message: `another safety-gate run is using this out dir (pid ${holder.pid}${elsewhere}, since ${holder.since}); wait for it to finish or choose another --out${elsewhere ? `; if no run is going on there, delete ${where}` : ""}`,
      }),
  );
}

/** Thrown by `lockFile` when a running process holds the lock: who, so that a caller may wait. */
export class LockHeld extends InputError {
  constructor(
    readonly holder: Holder,
    problem: ConstructorParameters<typeof InputError>[0],
  ) {
    super(problem);
  }
}

/**
 * The lock `file` (in the existing-or-created folder `dir`), as described above; `busy` says
 * who holds it when a running process does (thrown as a LockHeld).
 */
export function lockFile(
  file: string,
  dir: string,
  now: () => Date,
  busy: (holder: Holder, elsewhere: string, where: string) => InputError,
): OutLock {
  const me: Holder = { pid: process.pid, host: hostname(), since: now().toISOString() };
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, `${JSON.stringify(me)}\n`);
  } catch (err) {
    // Not a bug of ours: a path the user gave that cannot be written.
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new InputError({
      file: displayPath(dir),
      message: `cannot write to the out dir (${code}); choose another --out`,
    });
  }
  let note: string | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 5) throw err;
      }
      const holder = readHolder(file);
      const where = `${displayPath(file)}`;
      if (holder && (holder.host !== me.host || running(holder.pid))) {
        const elsewhere = holder.host !== me.host ? ` on host ${holder.host}` : "";
        throw new LockHeld(holder, busy(holder, elsewhere, where).problems);
      }
      // Stale: move it aside, and make sure what was moved is the lock judged stale — a
      // run that took it over in between keeps its lock.
      const aside = `${tmp}.stale`;
      try {
        renameSync(file, aside);
      } catch {
        continue;
      }
      if (holder !== undefined && !same(readHolder(aside), holder)) {
        try {
          linkSync(aside, file);
        } catch {
          // someone locked again meanwhile: the loop reads and reports them
        }
        rmSync(aside, { force: true });
        continue;
      }
      rmSync(aside, { force: true });
      note = holder
        ? `safety-gate: took over the out dir's lock from pid ${holder.pid} (since ${holder.since}), which is no longer running`
        : `safety-gate: replaced an unreadable lock file ${where}`;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    // Only our own lock: never one a later run took over.
    if (same(readHolder(file), me)) rmSync(file, { force: true });
  };
  // Ctrl-C ends the process with process.exit: the lock goes with it.
  process.on("exit", release);
  return { note, release };
}

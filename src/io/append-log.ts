/**
 * An append-only JSONL file of keyed records: the run journal (resume after a crash)
 * and the response cache are both one of these. Records go out in batches, one `write`
 * of whole lines at most FLUSH_AFTER_MS after the first of them was appended (and at
 * close, and when the process exits), so a process killed at any moment loses at most
 * that long of answers — asked again on resume — and leaves at most a torn last line;
 * reading skips lines that do not parse, and appending first closes a torn line, so the
 * next record starts clean. The last record for a key wins.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * How long a record may wait for its batch. At hundreds of answers a second arriving one
 * per event-loop turn, a write per turn was a large share of the runner's CPU; 100 ms of
 * answers is little to ask again after a kill.
 */
export const FLUSH_AFTER_MS = 100;
/** A batch this large is written at once: a turn that appends many records (a cache replay) must not build one huge string. */
const FLUSH_AT_CHARS = 4 * 1024 * 1024;

/** Logs with records not yet written, flushed when the process exits (also via process.exit). */
const open = new Set<AppendLog<KeyedRecord>>();
let exitHookInstalled = false;
function flushOnExit(log: AppendLog<KeyedRecord>): void {
  open.add(log);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const l of open) l.flush();
  });
}

export interface KeyedRecord {
  key: string;
}

export class AppendLog<R extends KeyedRecord> {
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingChars = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly records = new Map<string, R>();
  /** Lines that could not be read (a torn last line after a kill, or damage). */
  readonly unreadable: number = 0;

  constructor(
    readonly path: string,
    isRecord: (value: unknown) => value is R,
  ) {
    if (!existsSync(path)) return;
    let unreadable = 0;
    const torn = forEachLine(path, (line) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        unreadable++;
        return;
      }
      if (isRecord(value)) this.records.set(value.key, value);
      else unreadable++;
    });
    this.unreadable = unreadable;
    if (torn) this.write("\n");
  }

  get(key: string): R | undefined {
    return this.records.get(key);
  }

  get size(): number {
    return this.records.size;
  }

  append(record: R): void {
    this.records.set(record.key, record);
    const line = `${JSON.stringify(record)}\n`;
    this.pending.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars >= FLUSH_AT_CHARS) {
      this.flush();
      return;
    }
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), FLUSH_AFTER_MS);
      flushOnExit(this);
    }
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    open.delete(this);
    if (this.pending.length === 0) return;
    const text = this.pending.join("");
    this.pending = [];
    this.pendingChars = 0;
    this.write(text);
  }

  private write(text: string): void {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, "a");
    }
    // Synchronous and whole: a kill cannot interleave half a batch with the next one.
    writeSync(this.fd, text);
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Calls `onLine` for each non-empty line of `path`, read in chunks: a journal may hold
 * more than one string can (a million answers). Returns whether the last line is torn
 * (the file does not end with a newline).
 */
function forEachLine(path: string, onLine: (line: string) => void): boolean {
  const fd = openSync(path, "r");
  const chunk = Buffer.allocUnsafe(1 << 20);
  let parts: Buffer[] = [];
  let last = 0x0a;
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      last = chunk[n - 1] ?? 0x0a;
      let start = 0;
      for (let nl = chunk.indexOf(0x0a, start); nl !== -1 && nl < n; nl = chunk.indexOf(0x0a, start)) {
        parts.push(chunk.subarray(start, nl));
        const line = Buffer.concat(parts).toString("utf8");
        parts = [];
        if (line !== "") onLine(line);
        start = nl + 1;
      }
      // The rest continues on the next read, which reuses `chunk`: keep a copy.
      if (start < n) parts.push(Buffer.from(chunk.subarray(start, n)));
    }
    const rest = Buffer.concat(parts).toString("utf8");
    if (rest !== "") onLine(rest);
  } finally {
    closeSync(fd);
  }
  return last !== 0x0a;
}

/**
 * An append-only JSONL file of keyed records: the run journal (resume after a crash)
 * and the response cache are both one of these. Records go out in batches, one `write`
 * of whole lines at most FLUSH_AFTER_MS after the first of them was appended (and at
 * close, and when the process exits), so a process killed at any moment loses at most
 * that long of answers — asked again on resume — and leaves at most a torn last line;
 * reading skips lines that do not parse, and appending first closes a torn line, so the
 * next record starts clean. The last record for a key wins.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * How long a record may wait for its batch. At hundreds of answers a second arriving one
 * per event-loop turn, a write per turn was a large share of the runner's CPU; 100 ms of
 * answers is little to ask again after a kill.
 */
export const FLUSH_AFTER_MS = 100;

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
  private timer: NodeJS.Timeout | undefined;
  private readonly records = new Map<string, R>();
  /** Lines that could not be read (a torn last line after a kill, or damage). */
  readonly unreadable: number = 0;

  constructor(
    readonly path: string,
    isRecord: (value: unknown) => value is R,
  ) {
    if (!existsSync(path)) return;
    const text = readFileSync(path, "utf8");
    let unreadable = 0;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        unreadable++;
        continue;
      }
      if (isRecord(value)) this.records.set(value.key, value);
      else unreadable++;
    }
    this.unreadable = unreadable;
    if (text.length > 0 && !text.endsWith("\n")) this.write("\n");
  }

  get(key: string): R | undefined {
    return this.records.get(key);
  }

  get size(): number {
    return this.records.size;
  }

  append(record: R): void {
    this.records.set(record.key, record);
    this.pending.push(`${JSON.stringify(record)}\n`);
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

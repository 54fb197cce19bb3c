/**
 * Writes a file so that readers see either the old content or the whole new content:
 * a temp file in the same directory (same filesystem, so rename is atomic), then rename.
 * `writeStreamAtomic` takes the content in pieces, so a file larger than any one string
 * (a results.json of a million cases) is written with bounded memory.
 */

import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";

/** Pieces are gathered up to this size before each write. */
const WRITE_CHUNK = 1 << 20;

function tempPath(path: string): string {
  return join(dirname(path), `.safety-gate-tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
}

export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPath(path);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Every byte of `text`: one write(2) may take less than it was given. */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

/** Writes what `produce` passes to its `write`, in order, as the file's new content. */
export function writeStreamAtomic(path: string, produce: (write: (piece: string) => void) => void): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPath(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "w");
    const out = fd;
    let pending: string[] = [];
    let size = 0;
    const flush = () => {
      if (pending.length === 0) return;
      writeAll(out, pending.join(""));
      pending = [];
      size = 0;
    };
    produce((piece) => {
      if (piece.length >= WRITE_CHUNK) {
        flush();
        writeAll(out, piece);
        return;
      }
      pending.push(piece);
      size += piece.length;
      if (size >= WRITE_CHUNK) flush();
    });
    flush();
    closeSync(out);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Lines of a byte stream, each at most `maxBytes` long. readline keeps a line in memory
 * however long it grows; a program that prints a gigabyte without a newline would exhaust
 * memory. A longer line is not kept: only its first and last bytes are, for the caller to
 * say what it was. Lines end at "\n" (a "\r" before it is dropped) or at the end of the
 * stream, and are decoded as UTF-8 (invalid bytes become U+FFFD, as with readline).
 */
import type { Readable } from "node:stream";

/** How much of an over-long line's start and end is kept. */
export const KEPT_OF_OVERLONG = 4096;

export interface Overlong {
  /** Its size in bytes. */
  bytes: number;
  /** Its first and last KEPT_OF_OVERLONG bytes, decoded. */
  head: string;
  tail: string;
}

export function readBoundedLines(
  input: Readable,
  maxBytes: number,
  on: { line: (text: string) => void; overlong: (line: Overlong) => void },
): void {
  let parts: Buffer[] = [];
  let size = 0;
  let over: { bytes: number; head: Buffer; tail: Buffer } | undefined;
  const end = () => {
    if (over) {
      on.overlong({ bytes: over.bytes, head: over.head.toString("utf8"), tail: over.tail.toString("utf8") });
    } else {
      const text = Buffer.concat(parts, size).toString("utf8");
      on.line(text.endsWith("\r") ? text.slice(0, -1) : text);
    }
    parts = [];
    size = 0;
    over = undefined;
  };
  input.on("data", (chunk: Buffer) => {
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, nl === -1 ? chunk.length : nl);
      if (over) {
        over.bytes += piece.length;
        over.tail = Buffer.concat([over.tail, piece]).subarray(-KEPT_OF_OVERLONG);
      } else if (size + piece.length > maxBytes) {
        const whole = Buffer.concat([...parts, piece]);
        over = {
          bytes: whole.length,
          head: Buffer.from(whole.subarray(0, KEPT_OF_OVERLONG)),
          tail: Buffer.from(whole.subarray(-KEPT_OF_OVERLONG)),
        };
        parts = [];
        size = 0;
      } else if (piece.length > 0) {
        parts.push(piece);
        size += piece.length;
      }
      if (nl === -1) break;
      end();
      start = nl + 1;
    }
  });
  input.on("end", () => {
    if (size > 0 || over) end();
  });
}

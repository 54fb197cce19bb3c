/**
 * Reading user files as text. Invalid UTF-8 is a clear input error at the exact
 * line and column; a UTF-8 BOM and CRLF line ends (common from Windows editors)
 * are accepted and normalised, so the same content hashes the same on every OS.
 */
import { constants } from "node:buffer";
import { readFileSync } from "node:fs";
import { InputError } from "./diagnostic.js";

const decoder = new TextDecoder("utf-8", { fatal: true });

export function readText(file: string, what: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "not found"
        : code === "EISDIR"
          ? "is a directory, expected a file"
          : `cannot be read (${code ?? "error"})`;
    throw new InputError({ file, message: `${what} ${reason}` });
  }
  // Past this, the file cannot be one string, and decoding it would fail as a crash.
  if (bytes.length > constants.MAX_STRING_LENGTH) {
    throw new InputError({
      file,
      message: `${what} is ${Math.round(bytes.length / 2 ** 20)} MiB, more than can be read at once (${Math.floor(constants.MAX_STRING_LENGTH / 2 ** 20)} MiB); split it or use fewer cases`,
    });
  }
  return decodeUtf8(bytes, file);
}

export function decodeUtf8(bytes: Uint8Array, file: string): string {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const position = positionOfByte(bytes, at);
    throw new InputError({
      file,
      position,
      message: `invalid UTF-8 (byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, "0")}); save the file as UTF-8`,
    });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.replace(/\r\n?/g, "\n");
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const len =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0) return i;
    try {
      decoder.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return Math.max(0, bytes.length - 1);
}

function positionOfByte(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  // Columns count characters, so decode the valid prefix of the line.
  const prefix = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, offset));
  return { line, column: [...prefix].length + 1 };
}

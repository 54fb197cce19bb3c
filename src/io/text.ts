/**
 * Reading user files as text. Invalid UTF-8 is a clear input error at the exact
 * line and column; a UTF-8 BOM and CRLF line ends (common from Windows editors)
 * are accepted and normalised, so the same content hashes the same on every OS.
 * UTF-16 with a byte-order mark (what Windows tools such as PowerShell's `>` write) is
 * decoded too; UTF-16 without one, and UTF-32, are named, with what to do.
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
  return decodeText(bytes, file);
}

const utf16le = new TextDecoder("utf-16le", { fatal: true });

export function decodeText(bytes: Uint8Array, file: string): string {
  const [b0, b1, b2, b3] = bytes;
  // UTF-32's marks first: FF FE 00 00 also starts like UTF-16LE's.
  if (
    (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) ||
    (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff)
  )
    throw new InputError({ file, message: "the file is UTF-32; save it as UTF-8" });
  if (b0 === 0xff && b1 === 0xfe) return decodeUtf16(bytes.subarray(2), file);
  if (b0 === 0xfe && b1 === 0xff) return decodeUtf16(swapBytes(bytes.subarray(2)), file);
  if (looksUtf16(bytes))
    throw new InputError({
      file,
      message: "the file looks like UTF-16 without a byte-order mark; save it as UTF-8",
    });
  return decodeUtf8(bytes, file);
}

function decodeUtf16(littleEndian: Uint8Array, file: string): string {
  try {
    return normalise(utf16le.decode(littleEndian));
  } catch {
    throw new InputError({
      file,
      message: "the file starts with a UTF-16 byte-order mark but is not valid UTF-16; save it as UTF-8",
    });
  }
}

function swapBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1] ?? 0;
    out[i + 1] = bytes[i] ?? 0;
  }
  if (bytes.length % 2) out[bytes.length - 1] = bytes[bytes.length - 1] ?? 0;
  return out;
}

/**
 * Text in UTF-16 has a zero byte beside every ASCII character; text in UTF-8 has none
 * (NUL is no character anyone types). Half zero bytes at even or at odd offsets of the
 * opening is UTF-16, whose mark was lost.
 */
function looksUtf16(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512) & ~1;
  if (n < 4) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  const half = n / 4;
  return (even >= half && odd === 0) || (odd >= half && even === 0);
}

function decodeUtf8(bytes: Uint8Array, file: string): string {
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
  return normalise(text);
}

function normalise(text: string): string {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r\n?/g, "\n");
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

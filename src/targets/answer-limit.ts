/**
 * One limit on the size of one answer, for every target: an HTTP body, a line a command
 * prints, a recorded response in a replay or results file. A model or program that
 * answers without end (a loop, a dump) must not exhaust memory or make results.json
 * unwritable; its case becomes an error case that says why, and the run goes on.
 */
import { AttemptError } from "./failure.js";

/** 16 MiB: far beyond any model answer, small enough for a thousand in memory. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

/** Why an answer was refused: `WHAT larger than 16 MiB (N MiB), the limit for one answer`. */
export function answerTooLargeReason(what: string, bytes?: number): string {
  const got = bytes === undefined ? "" : ` (${mib(bytes)})`;
  return `${what} larger than ${mib(MAX_ANSWER_BYTES)}${got}, the limit for one answer`;
}

/** A case whose answer is too large: final, since asking again would only bring the same. */
export function answerTooLarge(what: string, bytes?: number): AttemptError {
  return new AttemptError(answerTooLargeReason(what, bytes), "final");
}

/** The UTF-8 size of `text` when it is over the limit, else undefined. */
export function overAnswerLimit(text: string): number | undefined {
  // A UTF-16 unit is 1 to 3 UTF-8 bytes: most texts are decided by their length alone.
  if (text.length * 3 <= MAX_ANSWER_BYTES) return undefined;
  const bytes = Buffer.byteLength(text, "utf8");
  return bytes > MAX_ANSWER_BYTES ? bytes : undefined;
}

/**
 * Model output (and anything else a pull request can write: suite text, categories) is
 * untrusted. Before it reaches Markdown rendered on GitHub, a terminal, XML or HTML it is
 * cleaned and neutralised here, in one place:
 * - invisible and bidi characters are removed (they hide or reorder text a reviewer reads);
 * - long text is truncated on code points;
 * - in Markdown, multi-line text goes only into fenced code blocks whose fence is longer
 *   than any backtick run inside, so nothing in it is rendered, linked or mentioned;
 * - one-line text (table cells, summaries) is entity-escaped, with a zero-width space
 *   after `@` and `#` so GitHub neither pings nor links (GitHub finds mentions after
 *   entities are decoded, so `&#64;` alone would still ping);
 * - `redact` replaces the text by its hash and length, for public repositories.
 */
import { sha256 } from "../io/canonical.js";

/** Shortens to `max` characters (whole code points), marking the cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/**
 * Controls (C0 but tab and newline, DEL, C1), format characters (bidi overrides and
 * isolates, zero-width joiners and spaces, BOM, soft hyphen, Unicode tag characters that
 * smuggle invisible ASCII) and private-use characters.
 */
const INVISIBLE = /(?![\n\t])[\p{Cc}\p{Cf}\p{Co}]/gu;

/** Removes invisible and bidi characters; line and paragraph separators become newlines. */
export function stripInvisible(text: string): string {
  return text.replace(/\r\n?|[\u2028\u2029]/g, "\n").replace(INVISIBLE, "");
}

/** One line of plain text, safe to print on a terminal. */
export function plainInline(text: string, max: number): string {
  return truncate(stripInvisible(text).replace(/\n/g, " ⏎ ").replace(/\t/g, " "), max);
}

const ZWSP = "&#8203;";
const INLINE: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "@": `@${ZWSP}`,
  "#": `#${ZWSP}`,
};

/** One line of text, safe inside a Markdown table cell, paragraph or HTML element on GitHub. */
export function markdownInline(text: string, max: number): string {
  return plainInline(text, max).replace(
    /[&<>"@#\\`*_[\]|~]|:\/\/|\bwww\./gi,
    (m) => INLINE[m] ?? (m === "://" ? `:${ZWSP}//` : m.length > 1 ? `${m.slice(0, 3)}${ZWSP}.` : `\\${m}`),
  );
}

/** Longest run of `ch` in `text`. */
function longestRun(text: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

/**
 * A fenced code block holding untrusted text verbatim (after cleaning and truncation):
 * the fence is longer than any backtick run inside, so the text cannot close it, and
 * GitHub renders nothing inside a code block — no HTML, no mentions, no references.
 */
export function fencedBlock(text: string, max: number): string {
  const body = truncate(stripInvisible(text).replace(/\t/g, "  "), max);
  const fence = "`".repeat(Math.max(3, longestRun(body, "`") + 1));
  return `${fence}text\n${body}\n${fence}`;
}

/** What a redacted text shows: enough to tell two texts apart, nothing of their content. */
export function redactedText(text: string): string {
  return `[redacted: sha256:${sha256(text).slice(0, 12)}…, ${[...text].length} chars]`;
}

/** Characters of text in an HTML document or XML attribute. */
const HTML: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function htmlText(text: string): string {
  return stripInvisible(text).replace(/[&<>"']/g, (c) => HTML[c] ?? c);
}

/**
 * Text for XML 1.0 (JUnit): cleaned, escaped, and without the characters XML 1.0 forbids
 * outright (lone surrogates, U+FFFE/U+FFFF), which would make the whole file unreadable.
 */
export function xmlText(text: string): string {
  return htmlText(text).replace(/[\uD800-\uDFFF\uFFFE\uFFFF]/gu, "\uFFFD");
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` as \u escapes, so
 * no text can close the element or open a comment in it (`</script>`, `<!--`), and the
 * line separators U+2028/U+2029 escaped too. JSON.parse reads it back unchanged.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

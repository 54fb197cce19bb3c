/**
 * Model output is untrusted text. Before it reaches a Markdown report (rendered on
 * GitHub) or a terminal, it is truncated and neutralised: no HTML, no Markdown structure,
 * no @-mentions or autolinks, no terminal control sequences.
 */

/** Shortens to `max` characters (whole code points), marking the cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** C0/C1 controls (ESC included), bidi overrides and other invisible format characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** One line of plain text, safe to print on a terminal. */
export function plainInline(text: string, max: number): string {
  return truncate(text.replace(/\r?\n/g, " ⏎ ").replace(/\t/g, " ").replace(CONTROL, "�"), max);
}

/** One line of text, safe inside a Markdown table cell or paragraph on GitHub. */
export function markdownInline(text: string, max: number): string {
  return (
    plainInline(text, max)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      // Inside one line (a table cell or a list item) only inline syntax can take effect.
      .replace(/([\\`*_[\]|~])/g, "\\$1")
      .replace(/@/g, "&#64;")
      .replace(/:\/\//g, ":&#47;&#47;")
      .replace(/\bwww\\\./gi, "www&#46;")
  );
}

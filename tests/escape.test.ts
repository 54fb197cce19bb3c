/** Model output is untrusted: in a report it must not become HTML, structure, mentions or terminal escapes. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { markdownInline, plainInline, scriptJson, truncate } from "../src/report/escape.js";

describe("escaping untrusted model output", () => {
  it("markdown cells carry no raw HTML, pipes, newlines, mentions or backticks", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (s) => {
        const out = markdownInline(s, 1000);
        expect(out).not.toMatch(/[<>\n\r]/);
        expect(out).not.toMatch(/(^|[^\\])\|/);
        expect(out).not.toMatch(/(^|[^\\])`/);
        // A mention needs a word character right after "@"; a zero-width space always follows.
        expect(out).not.toMatch(/[@#](?!&#8203;)/);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence.
        expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      }),
    );
  });

  it("neutralises concrete attacks", () => {
    const attack =
      "</details><img src=x onerror=alert(1)> @org/admins | `rm -rf` https://evil.example \u001b[2J";
    const out = markdownInline(attack, 1000);
    expect(out).toContain("&lt;/details&gt;");
    expect(out).toContain("@&#8203;org/admins");
    expect(out).toContain("\\|");
    expect(out).toContain("https:&#8203;//evil");
    expect(out).not.toContain("\u001b");
  });

  it("terminal text has no escape sequences and stays on one line", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (s) => {
        const out = plainInline(s, 1000);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence.
        expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\n]/);
      }),
    );
  });

  it("truncates on code points and marks the cut", () => {
    expect(truncate("😀😀😀😀", 3)).toBe("😀😀…");
    expect(truncate("short", 10)).toBe("short");
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 50 }), fc.integer({ min: 1, max: 60 }), (s, n) => {
        expect([...truncate(s, n)].length).toBeLessThanOrEqual(Math.max(n, 1));
      }),
    );
  });
});

describe("scriptJson (report.html's case data)", () => {
  it("cannot close its <script> element or open a comment in it, and reads back unchanged", () => {
    const hostile = fc.oneof(
      fc.string({ unit: "grapheme" }),
      fc.constantFrom("</script><script>alert(1)</script>", "<!--", "</SCRIPT >", "\u2028\u2029", "&lt;"),
    );
    fc.assert(
      fc.property(fc.array(hostile), (texts) => {
        const json = scriptJson({ texts });
        expect(json).not.toMatch(/[<>\u2028\u2029]/);
        expect(JSON.parse(json)).toEqual({ texts });
      }),
    );
  });
});

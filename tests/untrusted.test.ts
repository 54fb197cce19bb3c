/**
 * Model output and suite text are untrusted: in the pull-request comment they must render
 * inert — no mention, no reference link, no HTML, no escaping the code block, no hidden or
 * reordered characters. These tests pin the exact text that GitHub receives.
 */
import { rmSync } from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { runGate } from "../src/core.js";
import { fencedBlock, markdownInline } from "../src/report/escape.js";
import { renderMarkdown } from "../src/report/markdown.js";
import { regressionFixture, repoTempDir } from "./helpers/fixtures.js";

const ATTACK =
  "Hi @octocat, see #1 <img src=x onerror=alert(1)>\n````\n</details>\n\u202Eevil\u200B text `x`";
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function commentFor(options: { redact?: boolean; category?: string } = {}) {
  const dir = repoTempDir("untrusted");
  dirs.push(dir);
  const { config } = regressionFixture(dir, 1, {
    response: () => ATTACK,
    report: `report: { redact: ${options.redact ?? false} }`,
  });
  const run = await runGate({ configPath: config });
  return renderMarkdown(run.results, run.report);
}

describe("untrusted text in the comment", () => {
  it("a response with @mention, #ref, HTML, a backtick run, </details> and U+202E renders inert", async () => {
    const md = await commentFor();
    // The whole response: in a block fenced by 5 backticks (longer than the run of 4 inside),
    // U+202E and U+200B removed, nothing else changed — inside a code block GitHub renders
    // no HTML, links no #1 and pings no @octocat.
    expect(md).toContain(
      [
        "Candidate: **fail** — no refusal expression in the opening of the response",
        "",
        "`````text",
        "Hi @octocat, see #1 <img src=x onerror=alert(1)>",
        "````",
        "</details>",
        "evil text `x`",
        "`````",
        "",
      ].join("\n"),
    );
    expect(md).not.toMatch(/[\u202E\u200B]/);
    // Outside code blocks, the only raw </details> are the report's own.
    const outside = md.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, "");
    expect(outside).not.toContain("@octocat");
    expect(outside).not.toContain("<img");
    expect(outside.match(/<\/details>/g)?.length).toBe(outside.match(/<details>/g)?.length);
  });

  it("one-line text (a category) is entity-escaped, with mentions and references broken", () => {
    expect(markdownInline("@octocat #1 <img src=x onerror=alert(1)> ``` </details> \u202Eevil", 200)).toBe(
      "@&#8203;octocat #&#8203;1 &lt;img src=x onerror=alert(1)&gt; \\`\\`\\` &lt;/details&gt; evil",
    );
  });

  it("redact: true shows only a hash and the length", async () => {
    const md = await commentFor({ redact: true });
    expect(md).toContain("[redacted: sha256:");
    expect(md).toMatch(/\[redacted: sha256:[0-9a-f]{12}…, 80 chars\]/);
    expect(md).not.toContain("octocat");
    expect(md).not.toContain("onerror");
    // The prompt is redacted as well.
    expect(md).not.toContain("Harmful request 1");
  });

  it("no text can close its fence, and no invisible or bidi character survives", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("`", "a", "\n", "\u202E", "~", " ", "\u2066") }), (s) => {
        const block = fencedBlock(s, 10_000);
        const lines = block.split("\n");
        const fence = lines[0]?.replace(/text$/, "") ?? "";
        expect(lines.at(-1)).toBe(fence);
        for (const line of lines.slice(1, -1)) expect(line.trim().startsWith(fence)).toBe(false);
        expect(block).not.toMatch(/[\u202E\u2066]/);
      }),
    );
  });
});

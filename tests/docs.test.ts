/**
 * The hand-written docs stay true to the program: every error message docs/troubleshooting.md
 * shows is what the CLI prints for one of the bad-input fixtures, and every link between the
 * docs (and to the README) points to a file and heading that exist.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { plainBlocks } from "./helpers/markdown.js";
import { runCli } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

const DOCS = join(repoRoot, "docs");
const BAD = join(repoRoot, "tests", "fixtures", "bad");

afterEach(() => {
  vi.unstubAllEnvs();
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, "utf8");
  return new Set(
    text
      .split("\n")
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) => slug(l.replace(/^#+ /, ""))),
  );
}

describe("docs/troubleshooting.md", () => {
  it("shows only error messages the CLI really prints for a bad-input fixture", async () => {
    const doc = readFileSync(join(DOCS, "troubleshooting.md"), "utf8");
    const shown = plainBlocks(doc)
      .map((b) => b.trim())
      .filter((b) => /^[\w.-]+\.(yml|jsonl|json):\d+/.test(b));
    expect(shown.length).toBeGreaterThanOrEqual(10);
    // First stderr line of `run` on each fixture, with the path as the user in its folder sees it.
    const printed = new Set<string>();
    for (const name of readdirSync(BAD)) {
      const dir = join(BAD, name);
      const expectFile = join(dir, "expect.json");
      if (!existsSync(expectFile)) continue;
      const exp = JSON.parse(readFileSync(expectFile, "utf8")) as {
        config?: string;
        env?: Record<string, string | null>;
      };
      vi.unstubAllEnvs();
      for (const [k, v] of Object.entries(exp.env ?? {})) vi.stubEnv(k, v ?? undefined);
      const config = relative(process.cwd(), join(dir, exp.config ?? "safety-gate.yml"));
      const r = await runCli(["run", "--config", config]);
      const first = r.stderr.split("\n")[0] ?? "";
      const prefix = `${relative(process.cwd(), dir)}/`;
      printed.add(first.replaceAll(prefix, ""));
    }
    for (const message of shown)
      expect([...printed], "docs/troubleshooting.md shows a message no fixture gives").toContain(message);
  });
});

describe("links in docs/ and the README", () => {
  const files = [
    ...readdirSync(DOCS)
      .filter((f) => f.endsWith(".md"))
      .map((f) => join(DOCS, f)),
    join(repoRoot, "README.md"),
  ];
  for (const file of files) {
    it(`${relative(repoRoot, file)}: every relative link points to a file and heading that exist`, () => {
      const text = readFileSync(file, "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (target === undefined || /^[a-z]+:/.test(target)) continue;
        const [path = "", anchor] = target.split("#");
        const to = path === "" ? file : resolve(dirname(file), path);
        expect(existsSync(to), `${relative(repoRoot, file)} links to a missing file: ${target}`).toBe(true);
        if (anchor !== undefined && to.endsWith(".md")) {
          expect(
            [...anchors(to)],
            `${relative(repoRoot, file)} links to a missing heading: ${target}`,
          ).toContain(anchor);
        }
      }
    });
  }
});

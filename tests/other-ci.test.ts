/** JUnit XML and the self-contained HTML report, for CI systems other than GitHub. */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGate } from "../src/core.js";
import { xmlText } from "../src/report/escape.js";
import { regressionFixture, repoTempDir } from "./helpers/fixtures.js";
import { runCli, tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

const config = join(repoRoot, "examples/quickstart/safety-gate.yml");
let out: string;
const dirs: string[] = [];
beforeAll(async () => {
  out = tempDir();
  await runCli(["run", "--config", config, "--out", out]);
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Suite {
  "@_name": string;
  "@_tests": string;
  "@_failures": string;
  "@_errors": string;
  testcase: { "@_name": string; "@_file"?: string; "@_line"?: string; failure?: unknown; error?: unknown }[];
}

function parse(xml: string): Suite[] {
  const doc = new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => ["testsuite", "testcase"].includes(name),
  }).parse(xml);
  return doc.testsuites.testsuite as Suite[];
}

describe("junit.xml", () => {
  it("has a testcase per suite case with its file and line, and a testcase per gate decision", () => {
    const xml = readFileSync(join(out, "junit.xml"), "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const suites = parse(xml);
    expect(suites.map((s) => [s["@_name"], s["@_tests"], s["@_failures"], s["@_errors"]])).toEqual([
      ["attack_success_rate", "72", "12", "0"],
      ["false_refusal_rate", "48", "6", "1"],
      ["leak_rate", "10", "1", "0"],
      ["gates", "16", "2", "0"],
    ]);
    const weapons7 = suites[0]?.testcase.find((t) => t["@_name"] === "weapons-007");
    expect(weapons7).toMatchObject({ "@_file": "examples/quickstart/suite.jsonl", "@_line": "7" });
    expect(JSON.stringify(weapons7?.failure)).toContain("not refused (newly failing: the baseline passed)");
  });

  it("stays well-formed whatever the model wrote", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
        expect(XMLValidator.validate(`<a b="${xmlText(s)}">${xmlText(s)}</a>`)).toBe(true);
      }),
    );
  });
});

/** The text of report.html's JSON block (what the viewer reads). */
function dataBlock(html: string): string {
  const m = /<script type="application\/json" id="sg-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m?.[1]) throw new Error("report.html has no sg-data block");
  return m[1];
}

describe("report.html", () => {
  it("is one self-contained page: no requests, one script allowed by its hash, every case in its data, flipped first", () => {
    const html = readFileSync(join(out, "report.html"), "utf8");
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? "";
    expect(csp).toMatch(
      /^default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[A-Za-z0-9+/]+=*';/,
    );
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(html).not.toMatch(/<script[^>]*\ssrc=|src=["']?http|href=["']?http|<link/i);
    // Two script elements: the cases as JSON (never run) and the viewer.
    expect(html.match(/<script[\s>]/g)).toHaveLength(2);
    const data = JSON.parse(dataBlock(html)) as { cases: { i: string; f: number; p?: string }[] };
    expect(data.cases).toHaveLength(130);
    expect(data.cases[0]?.f).toBe(1); // newly failing first
    expect(data.cases.every((c) => typeof c.p === "string")).toBe(true); // with the prompts
  });

  it("escapes model output and redacts it on request", async () => {
    const d = repoTempDir("html");
    dirs.push(d);
    const attack = `<img src=x onerror=alert(1)></details><script>alert(2)</script>`;
    const plain = regressionFixture(d, 2, { response: () => attack });
    await runCli(["run", "--config", plain.config, "--out", join(d, "plain")]);
    const html = readFileSync(join(d, "plain/report.html"), "utf8");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<script>alert");
    // In the viewer's data nothing can close the element; the text reads back unchanged.
    expect(html).toContain(
      "\\u003cimg src=x onerror=alert(1)\\u003e\\u003c/details\\u003e\\u003cscript\\u003e",
    );
    const data = JSON.parse(dataBlock(html)) as { cases: { k: { r: string } }[] };
    expect(data.cases[0]?.k.r).toBe(attack);

    const red = regressionFixture(d, 2, { response: () => attack, report: "report: { redact: true }" });
    const { results, report } = await runGate({ configPath: red.config });
    const { renderHtml } = await import("../src/report/html.js");
    const { renderJunit } = await import("../src/report/junit.js");
    expect(renderHtml(results, report)).not.toContain("onerror");
    expect(renderJunit(results, { redact: true, maxResponseChars: 280 })).not.toContain("onerror");
  });
});

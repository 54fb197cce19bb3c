import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load.js";
import { InputError } from "../src/io/diagnostic.js";
import { loadSuites, suiteHash } from "../src/suite/load.js";
import type { SuiteCase } from "../src/suite/schema.js";
import { tempDir } from "./helpers/run.js";

function configIn(dir: string, yaml: string): string {
  writeFileSync(join(dir, "suite.jsonl"), '{"id":"a","category":"c","prompt":"p","expect":"refuse"}\n');
  writeFileSync(join(dir, "r.jsonl"), '{"id":"a","response":"no"}\n');
  const file = join(dir, "safety-gate.yml");
  writeFileSync(file, yaml);
  return file;
}

describe("config", () => {
  it("resolves paths relative to the config file and fills defaults", () => {
    const dir = tempDir();
    const loaded = loadConfig(
      configIn(dir, "version: 1\nsuites: [suite.jsonl]\ncandidate: { replay: r.jsonl }\n"),
    );
    expect(loaded.suites).toEqual([{ file: join(dir, "suite.jsonl") }]);
    expect(loaded.candidate.replay).toBe(join(dir, "r.jsonl"));
    expect(loaded.config.confidence).toBe(0.95);
    expect(loaded.config.gates).toEqual({});
  });

  it("interpolates ${VAR} from the environment, and $${VAR} stays literal", () => {
    const dir = tempDir();
    const file = configIn(
      dir,
      "version: 1\nsuites: [suite.jsonl]\ncandidate: { replay: '${RESP}', label: 'build $${SHA}' }\n",
    );
    const loaded = loadConfig(file, { RESP: "r.jsonl" });
    expect(loaded.candidate.replay).toBe(join(dir, "r.jsonl"));
    expect(loaded.candidate.label).toBe("build ${SHA}");
  });

  it("never prints a value that came from the environment, even when it is wrong", () => {
    const dir = tempDir();
    const secret = "sk-test-SECRET-0123456789abcdef";
    const file = configIn(
      dir,
      "version: 1\nsuites: [suite.jsonl]\ncandidate: { replay: r.jsonl }\nconfidence: ${TOKEN}\n",
    );
    let message = "";
    try {
      loadConfig(file, { TOKEN: secret });
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/safety-gate\.yml:4:13 confidence: .*the value of \$\{TOKEN\} \(not shown\)/);
    expect(message).not.toContain(secret);
  });

  it("the config hash ignores formatting but not content, and never sees interpolated values", () => {
    const dir = tempDir();
    const a = loadConfig(
      configIn(dir, "version: 1\nsuites: [suite.jsonl]\ncandidate: { replay: r.jsonl }\n"),
    ).hash;
    const b = loadConfig(
      configIn(dir, "# comment\ncandidate:\n  replay: r.jsonl\nversion: 1\nsuites:\n  - suite.jsonl\n"),
    ).hash;
    const c = loadConfig(
      configIn(dir, "version: 1\nsuites: [suite.jsonl]\ncandidate: { replay: r.jsonl }\nconfidence: 0.9\n"),
    ).hash;
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    const f = configIn(
      dir,
      "version: 1\nsuites: [suite.jsonl]\ncandidate: { replay: r.jsonl, label: '${L}' }\n",
    );
    expect(loadConfig(f, { L: "one" }).hash).toBe(loadConfig(f, { L: "two" }).hash);
  });
});

describe("suite hash", () => {
  const caseArb: fc.Arbitrary<SuiteCase> = fc.record({
    id: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
    category: fc.constantFrom("a", "b"),
    prompt: fc.string({ minLength: 1 }).filter((s) => s.trim().length > 0),
    expect: fc.constantFrom("refuse" as const, "comply" as const),
  });
  const suiteArb = fc.uniqueArray(caseArb, { selector: (c) => c.id, minLength: 1, maxLength: 20 });

  it("does not change when cases are reordered or keys are written in another order", () => {
    fc.assert(
      fc.property(suiteArb, (cases) => {
        const reordered = [...cases]
          .reverse()
          .map((c) => Object.fromEntries(Object.entries(c).reverse()) as SuiteCase);
        expect(suiteHash(reordered)).toBe(suiteHash(cases));
      }),
    );
  });

  it("changes when any case's content changes", () => {
    fc.assert(
      fc.property(suiteArb, fc.nat(), (cases, k) => {
        const i = k % cases.length;
        const edited = cases.map((c, j) => (j === i ? { ...c, prompt: `${c.prompt}!` } : c));
        expect(suiteHash(edited)).not.toBe(suiteHash(cases));
      }),
    );
  });

  it("is the same for a JSONL and a YAML file with the same cases", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "s.jsonl"),
      '{"id":"a","category":"c","prompt":"p","expect":"refuse","tags":["x"]}\n',
    );
    writeFileSync(
      join(dir, "s.yaml"),
      "cases:\n  - id: a\n    expect: refuse\n    prompt: p\n    category: c\n    tags: [x]\n",
    );
    // Loaded separately: ids must be unique across the suites of one run.
    const [j] = loadSuites([join(dir, "s.jsonl")]);
    const [y] = loadSuites([join(dir, "s.yaml")]);
    expect(j?.hash).toBe(y?.hash);
    expect(y?.cases[0]?.source.line).toBe(2);
  });
});

/**
 * Loads suites (JSONL or YAML), checks ids are unique across all of them, and gives
 * each suite a content hash: sha256 over its cases, canonicalised and ordered by id,
 * so reformatting or reordering a file does not change it but any edit to a case does.
 */
import { extname } from "node:path";
import { canonicalJson, sha256 } from "../io/canonical.js";
import { InputError, keyPathOf, type Problem } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { type Located, parseJsonLines, parseYaml } from "../io/source.js";
import { readText } from "../io/text.js";
import { check } from "../io/validate.js";
import type { SuiteSource } from "./builtin.js";
import { CaseSchema, type SuiteCase } from "./schema.js";

export interface LoadedCase extends SuiteCase {
  /** Where the case is defined; used for annotations and messages. */
  source: { file: string; line: number };
}

export interface Suite {
  /** The suite's name in results and reports: `builtin:core`, or the path as shown. */
  file: string;
  hash: string;
  cases: LoadedCase[];
  /** Per-case hashes made with `hash` (see suite/lock.ts); absent once cases are changed after loading. */
  caseHashes?: Record<string, string>;
}

interface RawCase {
  data: unknown;
  source: Located;
  /** Path from the document root to this case. */
  path: PropertyKey[];
  /** The case's line when known without a lookup (a JSONL line). */
  line?: number;
}

/** Positions within one case (paths relative to it); made only when a position is needed. */
function locatedIn(raw: RawCase): Located {
  return { file: raw.source.file, locate: (p, at) => raw.source.locate([...raw.path, ...p], at) };
}

function readRawCases(file: string, shown: string): RawCase[] {
  const text = readText(file, "suite file");
  const ext = extname(file).toLowerCase();
  if (ext === ".jsonl") {
    return parseJsonLines(text, shown).map((l) => ({ data: l.data, source: l, path: [], line: l.line }));
  }
  if (ext === ".yaml" || ext === ".yml") {
    const doc = parseYaml(text, shown);
    const isWrapped = doc.data !== null && typeof doc.data === "object" && !Array.isArray(doc.data);
    const list = isWrapped ? (doc.data as { cases?: unknown }).cases : doc.data;
    const keys = isWrapped ? Object.keys(doc.data as object).filter((k) => k !== "cases") : [];
    if (!Array.isArray(list) || keys.length > 0) {
      throw new InputError({
        file: shown,
        position: doc.locate(keys.length > 0 ? [keys[0] as string] : [], "key") ?? { line: 1, column: 1 },
        message: "expected a list of cases, or a mapping with only `cases:` (a list of cases)",
      });
    }
    return list.map((data, i) => ({ data, source: doc, path: isWrapped ? ["cases", i] : [i] }));
  }
  throw new InputError({
    file: shown,
    message: `unsupported suite format "${ext}"; use .jsonl, .yaml or .yml`,
  });
}

export function loadSuites(sources: readonly (string | SuiteSource)[]): Suite[] {
  const problems: Problem[] = [];
  const seen = new Map<string, { file: string; line: number }>();
  const suites: Suite[] = [];
  for (const source of sources) {
    const { file, name } = typeof source === "string" ? { file: source, name: undefined } : source;
    const shown = displayPath(file);
    const cases: LoadedCase[] = [];
    const raws = readRawCases(file, shown);
    if (raws.length === 0)
      problems.push({ file: shown, position: { line: 1, column: 1 }, message: "the suite has no cases" });
    for (const raw of raws) {
      // Valid cases (nearly all) take the plain parse; only a failing one is explained in full.
      const parsed = CaseSchema.safeParse(raw.data);
      if (!parsed.success) {
        problems.push(
          ...(check(CaseSchema, raw.data, locatedIn(raw), { keyPrefix: keyPathOf(raw.path) }).problems ?? []),
        );
        continue;
      }
      const c = parsed.data as LoadedCase;
      const line = raw.line ?? (locatedIn(raw).locate([]) ?? { line: 1 }).line;
      const first = seen.get(c.id);
      if (first) {
        const keyPrefix = keyPathOf(raw.path);
        problems.push({
          file: shown,
          position: locatedIn(raw).locate(["id"]) ?? { line, column: 1 },
          keyPath: keyPrefix ? `${keyPrefix}.id` : "id",
          message: `duplicate case id "${c.id}" (first defined at ${first.file}:${first.line}); ids must be unique across all suites`,
        });
        continue;
      }
      seen.set(c.id, { file: shown, line });
      // The parsed value is a fresh object of zod's: adding its source costs no copy.
      c.source = { file: shown, line };
      cases.push(c);
    }
    suites.push({ file: name ?? shown, ...hashCases(cases), cases });
  }
  if (problems.length > 0) throw new InputError(problems);
  return suites;
}

/** The fields that define a case (not where it was loaded from), for hashing. */
export function caseContent({
  id,
  category,
  prompt,
  messages,
  expect,
  canary,
  cluster,
  tags,
  tools,
  forbidden_tools,
  required_tools,
  environment,
}: SuiteCase): SuiteCase {
  return {
    id,
    category,
    prompt,
    messages,
    expect,
    canary,
    cluster,
    tags,
    tools,
    forbidden_tools,
    required_tools,
    environment,
  };
}

/** Whether the case has agent parts (tools, tool turns), whose nested JSON needs the general canonicaliser. */
function isAgentCase(c: SuiteCase): boolean {
  return (
    c.tools !== undefined ||
    c.forbidden_tools !== undefined ||
    c.required_tools !== undefined ||
    c.environment !== undefined ||
    (c.messages?.some((m) => m.role === "tool" || m.tool_calls !== undefined) ?? false)
  );
}

/**
 * A case's canonical JSON (`canonicalJson(caseContent(c))`): what the suite hash and the
 * per-case hashes are made from. Written out with the fields already in sorted order, so
 * that JSON.stringify gives the canonical text directly — a third of the cost of sorting
 * at run time, for every case of every suite; tests/canonical.test.ts holds the two equal.
 */
export function caseCanonical(c: SuiteCase): string {
  // Tool specifications hold arbitrary JSON Schema: sorted in general, and rare enough to afford it.
  if (isAgentCase(c)) return canonicalJson(caseContent(c));
  return JSON.stringify({
    canary: c.canary,
    category: c.category,
    cluster: c.cluster,
    expect: c.expect,
    id: c.id,
    messages: c.messages?.map((m) => ({ content: m.content, role: m.role })),
    prompt: c.prompt,
    tags: c.tags,
  });
}

const byId = (a: SuiteCase, b: SuiteCase) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** `hashOf` of the cases' contents ordered by id (a JSON array is its elements joined by commas). */
export function suiteHash(cases: readonly SuiteCase[]): string {
  return hashCases(cases).hash;
}

/**
 * The suite's hash and each case's (the first 16 hex digits of the sha256 of its
 * canonical JSON), from one canonicalisation of each case.
 */
export function hashCases(cases: readonly SuiteCase[]): { hash: string; caseHashes: Record<string, string> } {
  const sorted = [...cases].sort(byId);
  const texts = sorted.map(caseCanonical);
  const caseHashes: Record<string, string> = {};
  for (let i = 0; i < sorted.length; i++) {
    caseHashes[(sorted[i] as SuiteCase).id] = sha256(texts[i] as string).slice(0, 16);
  }
  return { hash: `sha256:${sha256(`[${texts.join(",")}]`)}`, caseHashes };
}

/**
 * Any CSV or JSONL of prompts (and optionally responses), with a column mapping:
 * `--map prompt=question,category=topic,expect=label,response=answer` names the source
 * column for each case field, `--set expect=refuse` gives a field one value for every row,
 * `--expect-values safe=comply,unsafe=refuse` translates the source's labels. Rows are
 * checked against the suite schema and a bad one is reported at its file and line.
 */
import { basename, extname } from "node:path";
import { InputError, type Problem } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { parseJsonLines } from "../io/source.js";
import { readText } from "../io/text.js";
import { EXPECTATIONS, type Expectation, type SuiteCase } from "../suite/schema.js";
import { slug } from "../suite/taxonomy.js";
import { readCsv } from "./csv.js";
import { type Imported, type ResponseLine, rowProblems } from "./model.js";
import { contentId } from "./prompt-sets.js";

export const MAPPABLE = [
  "id",
  "prompt",
  "category",
  "expect",
  "canary",
  "cluster",
  "tags",
  "response",
  "error",
] as const;
export type Mappable = (typeof MAPPABLE)[number];

export interface GenericOptions {
  map: Partial<Record<Mappable, string>>;
  set: Partial<Record<"category" | "expect" | "cluster", string>>;
  expectValues: Record<string, string>;
  /** Name of the build whose responses the `response` column holds. */
  build?: string;
}

interface Row {
  file: string;
  line: number;
  values: Record<string, unknown>;
  columns: string[];
}

function readRows(path: string): Row[] {
  const file = displayPath(path);
  const ext = extname(path).toLowerCase();
  if (ext === ".csv") {
    const table = readCsv(path, "input file");
    return table.rows.map((r) => ({ file, line: r.line, values: r.values, columns: table.columns }));
  }
  if (ext === ".jsonl") {
    return parseJsonLines(readText(path, "input file"), file).map((l) => {
      const values =
        l.data !== null && typeof l.data === "object" && !Array.isArray(l.data)
          ? (l.data as Record<string, unknown>)
          : {};
      return { file, line: l.line, values, columns: Object.keys(values) };
    });
  }
  throw new InputError({ file, message: `unsupported input format "${ext}"; use .csv or .jsonl` });
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function importGeneric(files: readonly string[], options: GenericOptions): Imported {
  const { map, set } = options;
  const problems: Problem[] = [];
  if (!map.prompt)
    throw new InputError({ file: "--map", message: "name the prompt column: --map prompt=COLUMN" });
  if (!map.category && !set.category) {
    throw new InputError({
      file: "--map",
      message: "name the category column (--map category=COLUMN) or give one (--set category=NAME)",
    });
  }
  if (!map.expect && !set.expect) {
    throw new InputError({
      file: "--map",
      message: "name the expect column (--map expect=COLUMN) or give one (--set expect=refuse)",
    });
  }
  const cases: SuiteCase[] = [];
  const responses: ResponseLine[] = [];
  const seen = new Map<string, number>();
  for (const path of files) {
    const prefix = slug(basename(path, extname(path))).replace(/_/g, "-");
    for (const row of readRows(path)) {
      const where = { file: row.file, position: { line: row.line, column: 1 } };
      const missing = Object.entries(map).filter(
        ([, col]) => col !== undefined && !row.columns.includes(col),
      );
      if (missing.length > 0) {
        problems.push({
          ...where,
          message: `no column ${missing.map(([, c]) => `"${c}"`).join(", ")} (mapped to ${missing.map(([f]) => f).join(", ")}); columns here: ${row.columns.join(", ")}`,
        });
        continue;
      }
      const get = (field: Mappable) => (map[field] ? text(row.values[map[field] as string]) : undefined);
      const rawExpect = (get("expect") ?? set.expect ?? "").trim();
      const expect = options.expectValues[rawExpect] ?? rawExpect;
      if (!(EXPECTATIONS as readonly string[]).includes(expect)) {
        problems.push({
          ...where,
          keyPath: map.expect,
          message: `expect ${JSON.stringify(rawExpect)} is not refuse, comply or no_leak; translate it with --expect-values ${rawExpect || "VALUE"}=refuse`,
        });
        continue;
      }
      const prompt = get("prompt") ?? "";
      const explicitId = get("id")?.trim();
      const id = explicitId ? `${prefix}:${explicitId}` : contentId(prefix, prompt, seen);
      const tagsValue = map.tags ? row.values[map.tags] : undefined;
      const tags = Array.isArray(tagsValue)
        ? tagsValue.map(String)
        : (text(tagsValue) ?? "")
            .split(/[,;]/)
            .map((t) => t.trim())
            .filter(Boolean);
      const canary = get("canary");
      const cluster = get("cluster") ?? set.cluster;
      const c: SuiteCase = {
        id,
        category: (get("category") ?? set.category ?? "").trim(),
        prompt,
        expect: expect as Expectation,
        ...(canary ? { canary } : {}),
        ...(cluster ? { cluster } : {}),
        ...(tags.length ? { tags } : {}),
      };
      const bad = rowProblems(c, row, map);
      if (bad.length > 0) {
        problems.push(...bad);
        continue;
      }
      cases.push(c);
      const response = get("response");
      const error = get("error");
      if (map.response || map.error) {
        responses.push(error ? { id, error } : { id, response: response ?? "" });
      }
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return {
    format: "generic",
    cases,
    builds:
      map.response || map.error
        ? [{ name: options.build ?? "responses", responses, counts: { responses: responses.length } }]
        : [],
    notes: [
      `Imported with --map ${Object.entries(map)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")}.`,
    ],
  };
}

/**
 * CSV input for importers, parsed by `csv-parse` (quoted fields, embedded newlines, CRLF).
 * Each row remembers the line it starts on, so a bad row is reported as `file:line`, like
 * every other input problem.
 */
import { parse } from "csv-parse/sync";
import { InputError, type Problem } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { readText } from "../io/text.js";

export interface CsvRow {
  line: number;
  values: Readonly<Record<string, string>>;
}

export interface CsvTable {
  file: string;
  columns: string[];
  rows: CsvRow[];
}

interface Parsed {
  record: Record<string, string>;
  raw: string;
  info: { lines: number; columns?: { name: string }[] };
}

export function readCsv(path: string, what: string): CsvTable {
  const file = displayPath(path);
  const text = readText(path, what);
  let parsed: Parsed[];
  try {
    parsed = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim()),
      info: true,
      raw: true,
      skip_empty_lines: true,
      relax_column_count: false,
    }) as unknown as Parsed[];
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new InputError({
      file,
      position: e.lines ? { line: e.lines, column: 1 } : undefined,
      message: `invalid CSV: ${e.message.replace(/ on line \d+$/, "")}`,
    });
  }
  const columns = parsed[0]?.info.columns?.map((c) => c.name) ?? headerOf(text);
  const rows = parsed.map((p) => {
    const spans = p.raw.replace(/\n$/, "").split("\n").length;
    return { line: p.info.lines - spans + 1, values: p.record };
  });
  return { file, columns, rows };
}

function headerOf(text: string): string[] {
  return (text.split("\n")[0] ?? "").split(",").map((h) => h.trim());
}

/** Problems for columns a format needs but the file lacks (named with the columns it has). */
export function requireColumns(table: CsvTable, needed: readonly string[], format: string): void {
  const missing = needed.filter((c) => !table.columns.includes(c));
  if (missing.length === 0) return;
  throw new InputError({
    file: table.file,
    position: { line: 1, column: 1 },
    message: `not a ${format} file: missing column${missing.length > 1 ? "s" : ""} ${missing.map((m) => `"${m}"`).join(", ")}; found ${table.columns.map((c) => `"${c}"`).join(", ") || "no header"}`,
  });
}

export function cellProblem(table: CsvTable, row: CsvRow, column: string, message: string): Problem {
  return { file: table.file, position: { line: row.line, column: 1 }, keyPath: column, message };
}

/**
 * Parsed user documents that remember where each value came from, so any later
 * complaint (schema, duplicate id, unknown case) can name `file:line:column`.
 * YAML is parsed with `yaml`, which keeps source ranges; JSON lines go through the
 * fast `JSON.parse` and are re-read with `yaml` (JSON is YAML) only to locate a problem.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { InputError, type Problem, type SourcePosition } from "./diagnostic.js";

export interface Located {
  file: string;
  /** Position of the key (`at: "key"`) or value at `path`; the nearest existing ancestor otherwise. */
  locate(path: readonly PropertyKey[], at?: "key" | "value"): SourcePosition | undefined;
}

export interface YamlSource extends Located {
  data: unknown;
}

export function parseYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new InputError(
      doc.errors.map(
        (e): Problem => ({
          file,
          position: e.linePos ? { line: e.linePos[0].line, column: e.linePos[0].col } : undefined,
          message: `invalid YAML: ${yamlMessage(e.message)}`,
        }),
      ),
    );
  }
  const locate = (
    path: readonly PropertyKey[],
    at: "key" | "value" = "value",
  ): SourcePosition | undefined => {
    const offset = offsetOf(doc.contents as Node | null, path, at);
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return { file, data: doc.toJS({ maxAliasCount: 100 }), locate };
}

/** `yaml` appends a context excerpt after a colon-newline; keep the first line only. */
function yamlMessage(message: string): string {
  return message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? message;
}

function offsetOf(node: Node | null, path: readonly PropertyKey[], at: "key" | "value"): number | undefined {
  let current: unknown = node;
  let best: number | undefined = (node as Node | null)?.range?.[0];
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(current)) {
      const pair = current.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) return best;
      const keyNode = pair.key as Node;
      if (last && at === "key") return keyNode.range?.[0] ?? best;
      current = pair.value;
      best = (pair.value as Node | null)?.range?.[0] ?? keyNode.range?.[0] ?? best;
    } else if (isSeq(current) && typeof seg === "number") {
      const item = current.items[seg] as Node | undefined;
      if (!item) return best;
      current = item;
      best = item.range?.[0] ?? best;
    } else {
      return best;
    }
  }
  return best;
}

/** Node 20's JSON.parse messages carry "at position N" for most errors; turn it into a column. */
export function jsonErrorColumn(message: string, text: string): number {
  const m = /at position (\d+)/.exec(message);
  if (m) return Number(m[1]) + 1;
  if (/Unexpected end of JSON input/.test(message)) return text.length + 1;
  const tok = /Unexpected token '(.)'/.exec(message);
  if (tok?.[1]) {
    const i = text.indexOf(tok[1]);
    if (i >= 0) return i + 1;
  }
  return 1;
}

/** One JSON object a line. Blank lines are allowed (editors leave them); comments are not JSON. */
export interface JsonLine extends Located {
  line: number;
  data: unknown;
}

export function parseJsonLines(text: string, file: string): JsonLine[] {
  const out: JsonLine[] = [];
  const problems: Problem[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    if (raw.trim() === "") continue;
    const lineNo = i + 1;
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch (err) {
      const message = (err as Error).message;
      problems.push({
        file,
        position: { line: lineNo, column: jsonErrorColumn(message, raw) },
        message: `invalid JSON: ${message.replace(/, "[\s\S]*" is not valid JSON$/, "")}; each line must be one JSON object`,
      });
      continue;
    }
    out.push({ file, line: lineNo, data, locate: lineLocator(raw, lineNo) });
  }
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

function lineLocator(raw: string, lineNo: number): Located["locate"] {
  return (path, at = "value") => {
    // The line itself is asked for every case (to say where it is defined): no parse needed.
    if (path.length === 0) return { line: lineNo, column: raw.length - raw.trimStart().length + 1 };
    // Otherwise only reached when something is wrong with this line, so parsing it twice is cheap overall.
    const lineCounter = new LineCounter();
    const doc = parseDocument(raw, { lineCounter });
    const offset = offsetOf(doc.contents as Node | null, path, at);
    return { line: lineNo, column: (offset ?? 0) + 1 };
  };
}

/** A whole JSON document (results files); positions are found lazily, only for problems. */
export function parseJson(text: string, file: string): YamlSource {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const m = /at position (\d+)/.exec(message);
    const offset = m ? Number(m[1]) : text.length;
    const before = text.slice(0, offset).split("\n");
    throw new InputError({
      file,
      position: { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 },
      message: `invalid JSON: ${message.replace(/, "[\s\S]*" is not valid JSON$/, "")}`,
    });
  }
  let located: YamlSource | undefined;
  return {
    file,
    data,
    locate: (path, at) => {
      located ??= parseYaml(text, file);
      return located.locate(path, at);
    },
  };
}

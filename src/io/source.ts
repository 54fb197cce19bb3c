/**
 * Parsed user documents that remember where each value came from, so any later
 * complaint (schema, duplicate id, unknown case) can name `file:line:column`.
 * YAML is parsed with `yaml`, which keeps source ranges; JSON lines go through the
 * fast `JSON.parse` and are re-read with `yaml` (JSON is YAML) only to locate a problem.
 */
import {
  type Alias,
  Composer,
  type CST,
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  Parser,
  parseDocument,
  visit,
  YAMLParseError,
} from "yaml";
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
  const at = (offset: number) => positionAt(text, lineCounter, offset);
  const doc = composeOne(text, lineCounter, file, at);
  const first = doc.errors[0];
  if (first) {
    // Later YAML errors are almost always consequences of the first; one clear message helps more.
    const { offset, message } = explainYamlError(first.code, first.message, first.pos[0], text);
    throw new InputError({ file, position: at(offset), message: `invalid YAML: ${message}` });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // Unresolved aliases and alias bombs ("billion laughs") only surface when values are built.
    const alias = firstAlias(doc);
    throw new InputError({
      file,
      position: at(alias?.range?.[0] ?? 0),
      message: /Excessive alias count/.test((err as Error).message)
        ? `invalid YAML: aliases expand to too many values (more than ${MAX_ALIAS_COUNT}); write the values out instead`
        : `invalid YAML: alias "*${alias?.source ?? "?"}" refers to no anchor defined before it`,
    });
  }
  const locate = (
    path: readonly PropertyKey[],
    where: "key" | "value" = "value",
  ): SourcePosition | undefined => {
    const offset = offsetOf(doc.contents as Node | null, path, where);
    return offset === undefined ? undefined : at(offset);
  };
  return { file, data, locate };
}

/**
 * Lists and mappings nested deeper than this are no config or suite; far deeper, the YAML
 * composer (which recurses) overflows the stack and says only "Maximum call stack size
 * exceeded".
 */
export const MAX_NESTING = 64;

/**
 * `parseDocument`, with the nesting checked on the parser's tokens (built without
 * recursion) before the composer sees them. A second document is an error, as there.
 */
function composeOne(
  text: string,
  lineCounter: LineCounter,
  file: string,
  at: (offset: number) => SourcePosition,
): Document.Parsed {
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer({ uniqueKeys: true });
  function* checked(): Generator<CST.Token> {
    for (const token of parser.parse(text)) {
      const deep = tooDeep(token);
      if (deep !== undefined)
        throw new InputError({
          file,
          position: at(deep),
          message: `nesting deeper than ${MAX_NESTING} levels (lists and mappings inside each other); no config or suite needs it: flatten the structure`,
        });
      yield token;
    }
  }
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(checked(), true, text.length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(
        new YAMLParseError(
          next.range.slice(0, 2) as [number, number],
          "MULTIPLE_DOCS",
          "Source contains multiple documents",
        ),
      );
      break;
    }
  }
  // `compose(…, true)` always ends with a document, if only an empty one.
  return doc as Document.Parsed;
}

/** Offset of the first collection nested deeper than MAX_NESTING in a CST token, walked without recursion. */
function tooDeep(root: CST.Token): number | undefined {
  const stack: [CST.Token, number][] = [[root, 0]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [token, depth] = top;
    if (token.type === "document") {
      if (token.value) stack.push([token.value, depth]);
    } else if (token.type === "block-map" || token.type === "block-seq" || token.type === "flow-collection") {
      if (depth >= MAX_NESTING) return token.offset;
      for (const item of token.items) {
        if ("key" in item && item.key) stack.push([item.key, depth + 1]);
        if (item.value) stack.push([item.value, depth + 1]);
      }
    }
  }
  return undefined;
}

/** Aliases may expand at most this many times: enough for real configs, not for a resource attack. */
const MAX_ALIAS_COUNT = 100;

function firstAlias(doc: Document): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_, node) {
      if (!found || node.resolve(doc) === undefined) found = node;
      return node.resolve(doc) === undefined ? visit.BREAK : undefined;
    },
  });
  return found;
}

/**
 * Columns count characters (code points), as an editor shows them; `yaml` counts UTF-16
 * units, which differ after an emoji or other astral character.
 */
function positionAt(text: string, lineCounter: LineCounter, offset: number): SourcePosition {
  const { line } = lineCounter.linePos(offset);
  const start = lineCounter.lineStarts[line - 1] ?? 0;
  return { line, column: [...text.slice(start, offset)].length + 1 };
}

/** Turns `yaml`'s messages, written for programmers, into what a config author can act on. */
function explainYamlError(
  code: string,
  message: string,
  offset: number,
  text: string,
): { offset: number; message: string } {
  const firstLine = message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? message;
  switch (code) {
    case "DUPLICATE_KEY": {
      const key = /^[^:\n]*/.exec(text.slice(offset))?.[0].trim() ?? "";
      return { offset, message: `duplicate key "${key}": map keys must be unique; merge the two entries` };
    }
    case "MULTIPLE_DOCS":
      return {
        offset,
        message: "a second YAML document starts here; the file must be one document (remove the `---`)",
      };
    case "MISSING_CHAR":
      if (/quote/.test(firstLine)) {
        // Point at the quote that was opened, not at the end of the file where the parser gave up.
        const opened = Math.max(text.lastIndexOf('"', offset - 1), text.lastIndexOf("'", offset - 1));
        return { offset: opened >= 0 ? opened : offset, message: `${firstLine}: this quote is never closed` };
      }
      return { offset, message: firstLine };
    case "BLOCK_AS_IMPLICIT_KEY":
    case "MULTILINE_IMPLICIT_KEY": {
      // The parser notices at the value above; the cause is the next line, indented too far.
      const next = text.indexOf("\n", offset);
      const indented = next >= 0 ? /[^ \n]/.exec(text.slice(next + 1)) : null;
      return {
        offset: indented ? next + 1 + indented.index : offset,
        message:
          "this line is indented more than the key above it; keys of one mapping must start at the same column",
      };
    }
    case "TAB_AS_INDENT":
      return { offset, message: "tabs are not allowed as indentation; indent with spaces" };
    case "BAD_INDENT":
      return { offset, message: `${firstLine} (check the indentation)` };
    default:
      return { offset, message: firstLine };
  }
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
  if (m) return [...text.slice(0, Number(m[1]))].length + 1;
  if (/Unexpected end of JSON input/.test(message)) return text.length + 1;
  const tok = /Unexpected token '(.)'/.exec(message);
  if (tok?.[1]) {
    const i = text.indexOf(tok[1]);
    if (i >= 0) return i + 1;
  }
  return 1;
}

/** V8's message without the parts we already say better: the position and an echo of the input. */
function jsonMessage(message: string): string {
  return message
    .replace(/, "[\s\S]*" is not valid JSON$/, "")
    .replace(/ in JSON at position \d+( \(line \d+ column \d+\))?/, "");
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
        message: `invalid JSON: ${jsonMessage(message)}; each line must be one JSON object`,
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
    const offset = offsetOf(doc.contents as Node | null, path, at) ?? 0;
    return { line: lineNo, column: [...raw.slice(0, offset)].length + 1 };
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
      position: { line: before.length, column: [...(before[before.length - 1] ?? "")].length + 1 },
      message: `invalid JSON: ${jsonMessage(message)}`,
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

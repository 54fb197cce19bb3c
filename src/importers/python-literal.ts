/**
 * Python literals (`{'product_id': 'B08KFQ9HK5', 'max_results': 1}`) as JSON. InjecAgent
 * writes a tool call's parameters with `str(dict)`, while a tool call in a suite carries its
 * arguments as a JSON string (as the OpenAI chat API does). Only what `repr` of plain data
 * produces is read: dicts, lists, tuples, strings, numbers, True/False/None. A scan, no
 * regular expression, so a long value costs time linear in its length.
 */

export class PythonLiteralError extends Error {}

export function pythonLiteral(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new PythonLiteralError(`${what} at character ${i + 1}`);
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const value = (): unknown => {
    space();
    const ch = text[i];
    if (ch === "{") return container("}", true);
    if (ch === "[" || ch === "(") return container(ch === "[" ? "]" : ")", false);
    if (ch === "'" || ch === '"') return string(ch);
    for (const [word, v] of [
      ["True", true],
      ["False", false],
      ["None", null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const start = i;
    while (i < text.length && /[-+0-9.eE]/.test(text[i] as string)) i++;
    const n = Number(text.slice(start, i));
    if (start === i || !Number.isFinite(n)) fail("expected a value");
    return n;
  };
  const container = (close: string, dict: boolean): unknown => {
    i++;
    const items: unknown[] = [];
    const entries: [string, unknown][] = [];
    for (;;) {
      space();
      if (text[i] === close) {
        i++;
        break;
      }
      if (dict) {
        const key = value();
        space();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        entries.push([typeof key === "string" ? key : JSON.stringify(key), value()]);
      } else items.push(value());
      space();
      if (text[i] === ",") i++;
      else if (text[i] !== close) fail(`expected ',' or '${close}'`);
    }
    return dict ? Object.fromEntries(entries) : items;
  };
  const ESCAPES: Record<string, string> = {
    n: "\n",
    t: "\t",
    r: "\r",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "0": "\0",
  };
  const string = (quote: string): string => {
    i++;
    let out = "";
    while (i < text.length && text[i] !== quote) {
      if (text[i] === "\\") {
        const next = text[i + 1] ?? "";
        if (next === "x" || next === "u") {
          const len = next === "x" ? 2 : 4;
          out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 2 + len), 16));
          i += 2 + len;
          continue;
        }
        out += ESCAPES[next] ?? `\\${next}`;
        i += 2;
        continue;
      }
      out += text[i];
      i++;
    }
    if (i >= text.length) fail("unterminated string");
    i++;
    return out;
  };
  const v = value();
  space();
  if (i < text.length) fail("unexpected text after the value");
  return v;
}

/**
 * Runs a zod schema (the single source of truth for a file's shape) and turns its
 * issues into problems that say where (file:line:column), which key, what is allowed
 * and what was found — e.g. `gates.attack_success_rate.max: expected a number from 0 to 1, got "5%"`.
 */
import type { z } from "zod";
import { InputError, keyPathOf, type Problem } from "./diagnostic.js";
import type { Located } from "./source.js";
import { closest } from "./spelling.js";

/** An empty document has no node to point at; its first character is the honest answer. */
const START = { line: 1, column: 1 };

export interface ValidateOptions {
  /** Prefix for key paths, e.g. `[12]` for the 12th case of a YAML suite. */
  keyPrefix?: string;
  /** Describes a value for a message; return a placeholder for values that must never be printed. */
  describeValue?: (path: readonly PropertyKey[], value: unknown) => string | undefined;
}

export function validate<S extends z.ZodType>(
  schema: S,
  data: unknown,
  source: Located,
  options: ValidateOptions = {},
): z.output<S> {
  const problems = check(schema, data, source, options);
  if (problems.problems) throw new InputError(problems.problems);
  return problems.value as z.output<S>;
}

/** Like `validate`, but returns problems so callers can gather them across many lines. */
export function check<S extends z.ZodType>(
  schema: S,
  data: unknown,
  source: Located,
  options: ValidateOptions = {},
): { value?: z.output<S>; problems?: Problem[] } {
  const result = schema.safeParse(data, { error: defaultMessage });
  if (result.success) return { value: result.data };
  const problems: Problem[] = [];
  for (const issue of unionsOpened(result.error.issues)) {
    const path = issue.path as PropertyKey[];
    if (issue.code === "unrecognized_keys") {
      const allowed = allowedKeys(schema, path);
      for (const key of issue.keys) {
        const suggestion = allowed ? closest(key, allowed) : undefined;
        problems.push({
          file: source.file,
          position: source.locate([...path, key], "key") ?? START,
          keyPath: keyPathOf([...path, key], options.keyPrefix),
          message:
            `unknown key` +
            (suggestion ? ` (did you mean "${suggestion}"?)` : "") +
            (allowed ? `; allowed here: ${allowed.join(", ")}` : ""),
        });
      }
      continue;
    }
    const value = valueAt(data, path);
    // A missing key reaches zod as `undefined`; say so rather than sounding like a wrong type.
    const missing = value === undefined && path.length > 0 && issue.code !== "custom";
    const described =
      value === undefined || issue.code === "custom"
        ? undefined
        : describe(path, value, options.describeValue);
    problems.push({
      file: source.file,
      position: source.locate(path, "value") ?? START,
      keyPath: keyPathOf(path, options.keyPrefix) || undefined,
      message: missing
        ? `required key is missing: ${issue.message}`
        : described === undefined
          ? issue.message
          : `${issue.message}, got ${described}`,
    });
  }
  // An unknown key usually explains the problems after it (a mistyped key is also a missing one).
  const isUnknown = (p: Problem) => p.message.startsWith("unknown key");
  return { problems: [...problems.filter(isUnknown), ...problems.filter((p) => !isUnknown(p))] };
}

/**
 * A union whose input matched one branch's shape (e.g. a gate mapping, where `false` is the
 * other branch) fails inside that branch: report those issues, at their keys, rather than
 * zod's "no branch matched" at the union.
 */
function unionsOpened(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== "invalid_union") return [issue];
    const inside = issue.errors.filter(
      (branch) => branch.length > 0 && branch.every((i) => i.path.length > 0),
    );
    if (inside.length !== 1) return [issue];
    return unionsOpened((inside[0] ?? []).map((i) => ({ ...i, path: [...issue.path, ...i.path] })));
  });
}

function describe(
  path: readonly PropertyKey[],
  value: unknown,
  custom: ValidateOptions["describeValue"],
): string | undefined {
  const c = custom?.(path, value);
  if (c !== undefined) return c;
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "a mapping";
  // YAML's `.nan` and `.inf`: JSON would print them as null, which was not what was written.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}…"` : json;
}

/** Messages for issues whose schema gave none: say what is allowed, in the user's terms. */
function defaultMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type": {
      const expected = article(String(issue.expected));
      return `expected ${expected}`;
    }
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      if (issue.origin === "string")
        return Number(issue.minimum) <= 1
          ? "must not be empty"
          : `expected at least ${issue.minimum} characters`;
      if (issue.origin === "array")
        return `expected at least ${issue.minimum} item${Number(issue.minimum) === 1 ? "" : "s"}`;
      return `expected a number ${issue.inclusive ? "≥" : ">"} ${issue.minimum}`;
    case "too_big":
      if (issue.origin === "array") return `expected at most ${issue.maximum} items`;
      if (issue.origin === "string") return `expected at most ${issue.maximum} characters`;
      return `expected a number ${issue.inclusive ? "≤" : "<"} ${issue.maximum}`;
    default:
      return undefined;
  }
}

function article(type: string): string {
  const named: Record<string, string> = {
    object: "a mapping",
    array: "a list",
    string: "a string",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
  };
  return named[type] ?? type;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

// zod 4 keeps a schema's definition under `_zod.def`; walking it is how we list the
// keys allowed at a path without restating them beside the schema.
interface Def {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  element?: unknown;
  in?: unknown;
  valueType?: unknown;
  schema?: unknown;
  options?: unknown[];
}
function defOf(schema: unknown): Def | undefined {
  return (schema as { _zod?: { def?: Def } })?._zod?.def;
}

function allowedKeys(schema: unknown, path: readonly PropertyKey[]): string[] | undefined {
  let cur: unknown = schema;
  let i = 0;
  for (let guard = 0; guard < 100; guard++) {
    const def = defOf(cur);
    if (!def) return undefined;
    if (def.innerType) cur = def.innerType;
    else if (def.type === "pipe") cur = def.in;
    else if (def.type === "union") {
      // A mapping or `false` (a gate): the keys are those of the one mapping branch.
      const mappings = (def.options ?? []).filter((o) => defOf(o)?.type === "object");
      if (mappings.length !== 1) return undefined;
      cur = mappings[0];
    } else if (i === path.length)
      return def.type === "object" && def.shape ? Object.keys(def.shape) : undefined;
    else if (def.type === "object" && def.shape) cur = def.shape[String(path[i++])];
    else if (def.type === "array") {
      cur = def.element;
      i++;
    } else if (def.type === "record") {
      cur = def.valueType;
      i++;
    } else return undefined;
  }
  return undefined;
}

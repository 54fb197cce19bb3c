/**
 * docs/configuration.md is generated from the config's JSON Schema (itself generated from the
 * zod schema), so the reference cannot drift from what the loader accepts. `npm run schema`
 * writes it; tests/schemas.test.ts and `npm run check:generated` fail when it is stale.
 * The meanings are the schema's `.describe()` texts: improve a row there, not here.
 */

type Schema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  minLength?: number;
  pattern?: string;
  required?: string[];
};

type Row = { path: string; type: string; default: string; meaning: string };

const variants = (s: Schema): Schema[] => s.anyOf ?? s.oneOf ?? s.allOf ?? [];

const isObject = (s: Schema): boolean => s.type === "object" || s.properties !== undefined;

/** A record (`z.record`): an object whose keys are the user's names. */
const recordValue = (s: Schema): Schema | undefined =>
  s.properties === undefined && typeof s.additionalProperties === "object"
    ? s.additionalProperties
    : undefined;

function bounds(s: Schema): string {
  const lo =
    s.exclusiveMinimum !== undefined
      ? `> ${s.exclusiveMinimum}`
      : s.minimum !== undefined
        ? `≥ ${s.minimum}`
        : "";
  const big = (n: number): boolean => n >= Number.MAX_SAFE_INTEGER;
  const hi =
    s.exclusiveMaximum !== undefined
      ? `< ${s.exclusiveMaximum}`
      : s.maximum !== undefined && !big(s.maximum)
        ? `≤ ${s.maximum}`
        : "";
  return [lo, hi].filter((x) => x !== "").join(", ");
}

function typeOf(s: Schema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum !== undefined) return s.enum.map((v) => `\`${String(v)}\``).join(" · ");
  const alts = variants(s);
  if (alts.length > 0) return [...new Set(alts.map(typeOf))].join(" or ");
  const t = Array.isArray(s.type) ? s.type.join(" or ") : s.type;
  if (t === "array") return `list of ${s.items ? typeOf(s.items) : "any"}`;
  if (t === "object" || isObject(s)) {
    const value = recordValue(s);
    return value ? `map of name → ${typeOf(value)}` : "object";
  }
  if (t === undefined) return "any";
  const range = bounds(s);
  return range === "" ? t : `${t} (${range})`;
}

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

function defaultOf(s: Schema): string {
  if (s.default === undefined) return "";
  const json = JSON.stringify(s.default);
  return `\`${json.length > 40 ? `${json.slice(0, 37)}…` : json}\``;
}

/** Where each object shape (ignoring its own description) was first listed, so a repeat can point there. */
type Seen = Map<string, string>;

const hasKeys = (s: Schema): boolean =>
  s.properties !== undefined ||
  variants(s).some(hasKeys) ||
  (recordValue(s) !== undefined && hasKeys(recordValue(s) as Schema)) ||
  (s.items !== undefined && hasKeys(s.items));

/** Rows for `s` at `path`, then for everything inside it. */
function walk(path: string, s: Schema, rows: Row[], required: boolean, seen: Seen): void {
  const alts = variants(s);
  let meaning = s.description ?? alts.find((a) => a.description)?.description ?? "";
  const { description: _, ...shape } = s;
  const key = JSON.stringify(shape);
  const first = hasKeys(s) ? seen.get(key) : undefined;
  if (first !== undefined) meaning = `${meaning}${meaning === "" ? "" : " "}Same keys as \`${first}\`.`;
  rows.push({
    path: `\`${path}\``,
    type: typeOf(s) + (required ? " (required)" : ""),
    default: defaultOf(s) || (alts.map(defaultOf).find((d) => d !== "") ?? ""),
    meaning,
  });
  if (first !== undefined) return;
  if (hasKeys(s)) seen.set(key, path);
  children(path, s, rows, seen);
}

function children(path: string, s: Schema, rows: Row[], seen: Seen): void {
  for (const alt of variants(s)) children(path, alt, rows, seen);
  if (s.properties) {
    const req = new Set(s.required ?? []);
    for (const [key, child] of Object.entries(s.properties)) {
      if (rows.some((r) => r.path === `\`${path}.${key}\``)) continue; // the same key in two variants
      walk(`${path}.${key}`, child, rows, req.has(key) && child.default === undefined, seen);
    }
  }
  const value = recordValue(s);
  if (value && hasKeys(value)) children(`${path}.<name>`, value, rows, seen);
  if (s.items && hasKeys(s.items)) children(`${path}[]`, s.items, rows, seen);
}

function table(rows: Row[]): string {
  const lines = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"];
  for (const r of rows)
    lines.push(`| ${cell(r.path)} | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.meaning)} |`);
  return lines.join("\n");
}

/** The Markdown reference of every config key, one table per top-level section. */
export function renderConfigReference(schemaJson: string): string {
  const schema = JSON.parse(schemaJson) as Schema;
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const top: Row[] = [];
  const seen: Seen = new Map();
  const sections: string[] = [];
  for (const [key, child] of Object.entries(props)) {
    if (key === "$schema") continue;
    const rows: Row[] = [];
    walk(key, child, rows, required.has(key) && child.default === undefined, seen);
    const [head, ...rest] = rows;
    if (head) top.push(head);
    if (rest.length > 0) sections.push(`## \`${key}\`\n\n${head?.meaning ?? ""}\n\n${table(rest)}`);
  }
  return `${[
    "# Configuration reference",
    "<!-- Generated by `npm run schema` from src/config (the zod schema). Do not edit: change the `.describe()` texts there. -->",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the text documents the config's ${VAR} syntax.
    "Every key of a gate config (`safety-gate.yml`). The same schema is published as [`gates/schema.json`](../gates/schema.json) for editor completion. A key path `a.<name>.b` means `b` inside any entry of the map `a`; `a[]` means each item of the list `a`. Unknown keys are errors. Any string may take a value from the environment with `${VAR}` (`$${VAR}` for a literal). For examples see the [README](../README.md#the-gate-config); for what the statistics keys do see [statistics](statistics.md), for graders and `calibration:` see [graders](graders.md).",
    `## Top level\n\n${table(top)}`,
    ...sections,
  ].join("\n\n")}\n`;
}

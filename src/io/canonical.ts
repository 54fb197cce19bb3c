/**
 * Canonical JSON (object keys sorted, no whitespace) and its sha256. Hashes of suites
 * and configs must not change when a file is reformatted or its keys reordered.
 */
import * as crypto from "node:crypto";

export function canonicalJson(value: unknown): string {
  return canonical(value) as string;
}

/**
 * `JSON.stringify` of the value with every object's keys sorted, built as one string
 * (no sorted copy of the value first: suites hash every case). Same output as
 * JSON.stringify(sortKeys(value)) — tests/canonical.test.ts holds it to that.
 * `undefined` means "leave this out" (an undefined, function or symbol value).
 */
function canonical(value: unknown): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return JSON.stringify(value);
    case "object":
      break;
    case "bigint":
      throw new TypeError("Do not know how to serialize a BigInt");
    default:
      return undefined;
  }
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += `${i ? "," : ""}${canonical(value[i]) ?? "null"}`;
    return `${out}]`;
  }
  let out = "{";
  let first = true;
  for (const key of sortedKeys(value as object)) {
    // The first definition copied keys into a plain object, where "__proto__" sets the
    // prototype instead of a key: such a key never reached a hash, and must not now.
    if (key === "__proto__") continue;
    const v = canonical((value as Record<string, unknown>)[key]);
    if (v === undefined) continue;
    out += `${first ? "" : ","}${JSON.stringify(key)}:${v}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * Keys sorted, in the order the first definition produced: it copied them in sorted order
 * into a new object, where JavaScript puts array-index keys ("0", "12") first, by number.
 */
function sortedKeys(value: object): string[] {
  const keys = Object.keys(value).sort();
  if (!keys.some(isIndex)) return keys;
  const indices = keys.filter(isIndex).sort((a, b) => Number(a) - Number(b));
  return [...indices, ...keys.filter((k) => !isIndex(k))];
}

const isIndex = (key: string) => {
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295;
};

/** One-shot `crypto.hash` (Node ≥ 20.12) is a third of the cost of a Hash object; hashing every case adds up. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;

export function sha256(text: string): string {
  return oneShot ? oneShot("sha256", text, "hex") : crypto.createHash("sha256").update(text).digest("hex");
}

export function hashOf(value: unknown): string {
  return `sha256:${sha256(canonicalJson(value))}`;
}

/**
 * `JSON.stringify(value, null, 2)`, emitted piece by piece. A results file of a million
 * cases (or of large answers) is more text than one JavaScript string may hold (~512 MiB
 * in V8), so it is written as it is serialised and never exists whole in memory. The
 * output is byte for byte what JSON.stringify gives: same key order, `toJSON`, undefined
 * and functions left out of objects and written as null in arrays, non-finite numbers as
 * null.
 */

const skipped = (v: unknown) => v === undefined || typeof v === "function" || typeof v === "symbol";

/** A value as JSON.stringify sees it: its `toJSON(key)` when it has one (applied once). */
function resolved(v: unknown, key: string): unknown {
  return v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function"
    ? (v as { toJSON: (k: string) => unknown }).toJSON(key)
    : v;
}

/** Calls `emit` with consecutive pieces of `JSON.stringify(value, null, 2)` (nothing for a value JSON.stringify leaves out). */
export function emitJson(value: unknown, emit: (piece: string) => void): void {
  const v = resolved(value, "");
  if (!skipped(v)) emitValue(v, "", emit);
}

function emitValue(value: unknown, indent: string, emit: (piece: string) => void): void {
  if (
    value === null ||
    typeof value !== "object" ||
    value instanceof Number ||
    value instanceof String ||
    value instanceof Boolean
  ) {
    // Primitives (and boxed ones) are JSON.stringify's own business.
    emit(JSON.stringify(value));
    return;
  }
  if (isFlat(value)) {
    // Nothing nested: JSON.stringify writes it, re-indented (a string holds no raw newline).
    const text = JSON.stringify(value, null, 2);
    emit(indent === "" ? text : text.replace(/\n/g, `\n${indent}`));
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      emit("[]");
      return;
    }
    emit("[");
    for (let i = 0; i < value.length; i++) {
      emit(i === 0 ? `\n${inner}` : `,\n${inner}`);
      const v = resolved(value[i], String(i));
      if (skipped(v)) emit("null");
      else emitValue(v, inner, emit);
    }
    emit(`\n${indent}]`);
    return;
  }
  let first = true;
  for (const k of Object.keys(value)) {
    const v = resolved((value as Record<string, unknown>)[k], k);
    if (skipped(v)) continue;
    emit(`${first ? "{" : ","}\n${inner}${JSON.stringify(k)}: `);
    first = false;
    emitValue(v, inner, emit);
  }
  emit(first ? "{}" : `\n${indent}}`);
}

/** An array or object whose values are all primitives: one JSON.stringify call is its output. */
function isFlat(value: object): boolean {
  // A toJSON of its own was applied already; JSON.stringify would apply it again.
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return false;
  const values = Array.isArray(value) ? value : Object.values(value);
  for (const v of values) if (v !== null && typeof v === "object") return false;
  return true;
}

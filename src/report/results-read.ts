/**
 * Reading a results.json that another run — maybe another safety-gate version — wrote
 * (a baseline, a fork's artifact, `safety-gate publish`). The versioning rule:
 *
 * - `schemaVersion` is the results schema's major version. Adding keys is a compatible
 *   change and does not bump it; removing, renaming or changing the meaning of a key does.
 * - A reader accepts its own major with keys it does not know: they are ignored (dropped,
 *   and listed) — so an older safety-gate reads a newer one's file.
 * - A reader refuses a newer major, saying which safety-gate wrote the file and that an
 *   upgrade reads it; it never guesses at a shape it does not know.
 *
 * The writer's schema (ResultsSchema) stays strict: it is what this version writes, and
 * what gates/results.schema.json documents.
 */
import type { z } from "zod";
import { InputError } from "../io/diagnostic.js";
import type { Located } from "../io/source.js";
import { validate } from "../io/validate.js";
import { VERSION } from "../version.js";
import { type Results, ResultsSchema } from "./results-schema.js";

/** The major version of results.json this safety-gate writes and reads. */
export const RESULTS_SCHEMA_VERSION = 1;

export interface ReadResults {
  results: Results;
  /** Key paths the file had that this version does not know (ignored). */
  ignored: string[];
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function at(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const k of path) v = (v as Record<PropertyKey, unknown> | undefined)?.[k];
  return v;
}

function shown(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i ? "." : ""}${String(k)}`)).join("");
}

/** Validates `data` (parsed from `source`) as results.json under the versioning rule above. */
export function readResults(data: unknown, source: Located): ReadResults {
  const top = record(data);
  const version = top?.schemaVersion;
  if (typeof version === "number" && Number.isInteger(version) && version > RESULTS_SCHEMA_VERSION) {
    const writer = record(top?.tool)?.version;
    throw new InputError({
      file: source.file,
      position: source.locate(["schemaVersion"], "value"),
      keyPath: "schemaVersion",
      message:
        `written by safety-gate ${typeof writer === "string" ? writer : "(unknown version)"} with results schema ${version}; ` +
        `this safety-gate (${VERSION}) reads results schema ${RESULTS_SCHEMA_VERSION}: upgrade safety-gate to read it`,
    });
  }
  // Drop the keys this version does not know, then validate what is left strictly.
  const copy = structuredClone(data) as unknown;
  const ignored: string[] = [];
  for (let round = 0; round < 20; round++) {
    const r = (ResultsSchema as z.ZodType).safeParse(copy);
    if (r.success) break;
    const unknown = r.error.issues.filter((i) => i.code === "unrecognized_keys");
    if (unknown.length === 0) break;
    for (const issue of unknown) {
      const holder = record(at(copy, issue.path));
      for (const key of issue.keys) {
        if (holder) delete holder[key];
        ignored.push(shown([...issue.path, key]));
      }
    }
  }
  return { results: validate(ResultsSchema, copy, source), ignored };
}

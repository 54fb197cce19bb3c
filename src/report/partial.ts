/**
 * `partial.json`: what one shard (`run --shard K/N`) answered and graded — its cases'
 * outcomes for both builds and everything `merge` needs to check that the shards belong
 * together. It has no verdict and is no results.json, so it can never be mistaken for a
 * gate or a baseline. `merge` reads N of them, refuses any set that would not add up to
 * one run (other suites, config, builds or safety-gate; a shard missing or given twice;
 * shards cut for different N), and decides once on all the cases.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeStreamAtomic } from "../io/atomic.js";
import { InputError, type Problem } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { emitJson } from "../io/json-stream.js";
import { parseJson } from "../io/source.js";
import { readText } from "../io/text.js";
import { validate } from "../io/validate.js";
import { VERSION } from "../version.js";
import { CaseOutcomeSchema, ProvenanceSchema, TargetSchema, UsageSchema } from "./results-schema.js";

export const PARTIAL_FILE = "partial.json";
const KIND = "safety-gate partial result";

export const PartialSchema = z.strictObject({
  kind: z.literal(KIND),
  schemaVersion: z.literal(1),
  /** Said in the file itself, for whoever opens it. */
  note: z.string(),
  shard: z.strictObject({ index: z.int().min(1), count: z.int().min(1) }),
  tool: z.strictObject({ name: z.literal("safety-gate"), version: z.string() }),
  createdAt: z.string(),
  config: z.strictObject({ file: z.string(), hash: z.string() }),
  suites: z.array(z.strictObject({ file: z.string(), hash: z.string(), cases: z.int().min(0) })),
  /** Cases of the whole run (all shards). */
  total: z.int().min(0),
  graders: z.array(z.string()),
  candidate: z.strictObject({
    target: TargetSchema,
    cases: z.array(CaseOutcomeSchema),
    usage: UsageSchema.optional(),
  }),
  baseline: z
    .strictObject({
      target: TargetSchema,
      provenance: ProvenanceSchema.optional(),
      /** Keys of a `results:` baseline this safety-gate did not know (the note is made at merge). */
      ignoredKeys: z.array(z.string()),
      cases: z.array(CaseOutcomeSchema),
      usage: UsageSchema.optional(),
    })
    .optional(),
  /** A configured baseline that could not be had, and why (regression gates are then inconclusive). */
  baselineUnavailable: z.string().optional(),
  /** No baseline applies to this run (it records the baseline), and why. */
  baselineNotApplicable: z.string().optional(),
});
export type PartialResult = z.infer<typeof PartialSchema>;

export function partialNote(shard: { index: number; count: number }, cases: number, total: number): string {
  return `Partial result of shard ${shard.index}/${shard.count}: ${cases} of ${total} cases answered and graded. No verdict: no gate is judged on part of the cases. Combine all ${shard.count} shards with 'safety-gate merge PARTS... --out DIR'.`;
}

export function writePartial(partial: PartialResult, outDir: string): string {
  const path = join(outDir, PARTIAL_FILE);
  writeStreamAtomic(path, (write) => {
    emitJson(partial, write);
    write("\n");
  });
  return path;
}

export interface ReadPartial {
  /** As shown in messages. */
  file: string;
  partial: PartialResult;
}

/** `part` is a shard's --out folder (or its partial.json). */
export function readPartial(part: string): ReadPartial {
  const file = existsSync(part) && statSync(part).isDirectory() ? join(part, PARTIAL_FILE) : part;
  const shown = displayPath(file);
  if (!existsSync(file)) {
    throw new InputError({
      file: shown,
      message: `no such file: give the --out folder of a 'safety-gate run --shard K/N' (it holds ${PARTIAL_FILE})`,
    });
  }
  const doc = parseJson(readText(file, "shard's partial result"), shown);
  const kind = (doc.data as { kind?: unknown } | null)?.kind;
  if (kind !== KIND) {
    throw new InputError({
      file: shown,
      position: doc.locate(["kind"], "value"),
      message: `not a shard's partial result (kind "${KIND}"): merge takes the --out folders of 'safety-gate run --shard K/N'`,
    });
  }
  const version = (doc.data as { tool?: { version?: unknown } }).tool?.version;
  if (typeof version === "string" && version !== VERSION) {
    throw new InputError({
      file: shown,
      position: doc.locate(["tool", "version"], "value"),
      keyPath: "tool.version",
      message: `written by safety-gate ${version}, this is ${VERSION}: run the shards and the merge with the same safety-gate`,
    });
  }
  validate(PartialSchema, doc.data, doc);
  // The file as written, not zod's copy: key order is kept, so the merged results.json is
  // byte for byte what one run on all the cases writes.
  return { file: shown, partial: doc.data as PartialResult };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What must agree between shards of one run, each with what to say when it does not. */
const AGREEMENT: { what: string; of: (p: PartialResult) => unknown; fix: string }[] = [
  {
    what: "suites",
    of: (p) => p.suites.map((s) => [s.file, s.hash]),
    fix: "run every shard on the same suites (the same commit)",
  },
  {
    what: "config",
    of: (p) => [p.config.file, p.config.hash],
    fix: "run every shard with the same config file, unchanged",
  },
  {
    what: "candidate build",
    of: (p) => p.candidate.target,
    fix: "run every shard against the same candidate build",
  },
  {
    what: "baseline build",
    of: (p) => [p.baseline?.target, p.baseline?.provenance, p.baselineUnavailable, p.baselineNotApplicable],
    fix: "run every shard against the same baseline (the same baseline results, or the same recorded or live build)",
  },
  { what: "graders", of: (p) => p.graders, fix: "run every shard with the same graders" },
];

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? "none";
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

/**
 * The shards in order 1..N, or an error naming each problem: different N, a shard given
 * twice, a shard missing, anything that differs between them.
 */
export function checkShards(parts: readonly ReadPartial[]): ReadPartial[] {
  const first = parts[0];
  if (!first)
    throw new InputError({ file: "merge", message: "give the --out folders of the shards to merge" });
  const problems: Problem[] = [];
  const count = first.partial.shard.count;
  for (const p of parts.slice(1)) {
    if (p.partial.shard.count !== count)
      problems.push({
        file: p.file,
        keyPath: "shard",
        message: `shard ${p.partial.shard.index}/${p.partial.shard.count}, but ${first.file} is shard ${first.partial.shard.index}/${count}: shards of different N do not add up to one run; merge the shards of one 'run --shard K/N' matrix`,
      });
  }
  if (problems.length) throw new InputError(problems);
  const byIndex = new Map<number, ReadPartial>();
  for (const p of parts) {
    const seen = byIndex.get(p.partial.shard.index);
    if (seen)
      problems.push({
        file: p.file,
        keyPath: "shard",
        message: `shard ${p.partial.shard.index}/${count} is given twice (${seen.file === p.file ? "the same folder twice" : `also ${seen.file}`}): give each shard's folder once`,
      });
    else byIndex.set(p.partial.shard.index, p);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length)
    problems.push({
      file: "merge",
      message: `shard${missing.length > 1 ? "s" : ""} ${missing.map((i) => `${i}/${count}`).join(", ")} missing: a merge needs all ${count} shards (got ${[
        ...byIndex.keys(),
      ]
        .sort((a, b) => a - b)
        .join(
          ", ",
        )}); run the missing shard${missing.length > 1 ? "s" : ""} with --shard, or give ${missing.length > 1 ? "their" : "its"} --out folder${missing.length > 1 ? "s" : ""}`,
    });
  if (problems.length) throw new InputError(problems);
  for (const rule of AGREEMENT) {
    const expected = rule.of(first.partial);
    for (const p of parts.slice(1)) {
      const got = rule.of(p.partial);
      if (!same(got, expected))
        problems.push({
          file: p.file,
          message: `mixed ${rule.what}: ${describe(got)} here, ${describe(expected)} in ${first.file}; ${rule.fix}`,
        });
    }
  }
  if (problems.length) throw new InputError(problems);
  return Array.from({ length: count }, (_, i) => byIndex.get(i + 1) as ReadPartial);
}

/**
 * The history of a gate: one JSON line per run on the default branch or a release, so that a
 * metric can be followed over months after the runs' artifacts are gone (docs/history.md).
 * A line holds the candidate build's figures only — it is the build at that commit — per
 * metric and per category (failures, n, rate, interval), the verdict, the gates that did not
 * pass, the waivers, and what the run was made on (builds, suites, config).
 *
 * Versioning, as for results.json: `history` is the format's major version. Adding keys is a
 * compatible change; a reader ignores keys it does not know and refuses a newer major.
 */
import { z } from "zod";
import { METRICS } from "../gate/metric-names.js";
import { hashOf } from "../io/canonical.js";
import { InputError } from "../io/diagnostic.js";
import { parseJsonLines } from "../io/source.js";
import { validate } from "../io/validate.js";
import type { Results } from "../report/results-schema.js";

export const HISTORY_VERSION = 1;

const interval = z.object({ lower: z.number(), upper: z.number() });
const point = z.object({
  failures: z.number().min(0),
  n: z.int().min(0),
  rate: z.number().min(0).max(1).nullable(),
  interval: interval.nullable(),
});
export type HistoryPoint = z.output<typeof point>;
const verdict = z.enum(["pass", "fail", "inconclusive", "waived"]);
/** Any name: a later safety-gate may measure metrics this one does not know, and they are kept. */
const metricName = z.string();
const target = z.object({
  kind: z.string(),
  source: z.string(),
  label: z.string().optional(),
  build: z.string().optional(),
});

export const HistoryRecordSchema = z
  .object({
    history: z.literal(HISTORY_VERSION),
    /** The commit the run gated; one point per commit. */
    commit: z.string().min(1),
    /** When the run was made (results.json createdAt). */
    time: z.string(),
    /** The git ref that was pushed (refs/heads/main, refs/tags/v1.2). */
    ref: z.string().optional(),
    /** A release branch or tag: marked on the trend page. */
    release: z.boolean(),
    /** The release's name (the tag or branch), when it is one. */
    releaseName: z.string().optional(),
    verdict,
    tool: z.string(),
    config: z.object({ file: z.string(), hash: z.string() }),
    /** One hash over every suite's hash: equal when the run was made on the same cases. */
    suitesHash: z.string(),
    suites: z.array(z.object({ file: z.string(), hash: z.string(), cases: z.int().min(0) })),
    builds: z.object({ candidate: target, baseline: target.optional() }),
    /** The candidate's figures, per metric that had cases. */
    metrics: z.record(metricName, z.object({ overall: point, byCategory: z.record(z.string(), point) })),
    /** The metrics some gate judged (the ones a sparkline follows). */
    gated: z.array(metricName),
    /** Gate checks that did not pass, in one line each. */
    notPassed: z.array(
      z.object({
        metric: metricName,
        category: z.string().optional(),
        rule: z.string(),
        outcome: verdict,
      }),
    ),
    waivers: z.array(
      z.object({
        metric: z.string(),
        category: z.string().optional(),
        owner: z.string(),
        reason: z.string(),
        expires: z.string(),
        status: z.string(),
        applied: z.int().min(0),
      }),
    ),
    /** The workflow run, when made in CI. */
    runUrl: z.string().optional(),
  })
  .describe("safety-gate history line");

export type HistoryRecord = z.output<typeof HistoryRecordSchema>;

export interface RunIdentity {
  commit: string;
  ref?: string;
  /** Overrides the release guessed from the ref. */
  release?: boolean;
  runUrl?: string;
}

/**
 * Whether a ref is a release: a tag, or a branch named release/…, releases/… or release-<digit>….
 * (The conventions GitHub's own docs and most release workflows use; `--release` says so
 * for any other.)
 */
export function releaseOf(ref: string | undefined): { release: boolean; releaseName?: string } {
  if (!ref) return { release: false };
  const tag = /^refs\/tags\/(.+)$/.exec(ref)?.[1];
  if (tag) return { release: true, releaseName: tag };
  const branch = ref.replace(/^refs\/heads\//, "");
  if (/^(?:releases?\/.|release-\d)/.test(branch)) return { release: true, releaseName: branch };
  return { release: false };
}

const pointOf = (e: Results["metrics"]["candidate"]["attack_success_rate"]["overall"]): HistoryPoint => ({
  failures: e.failures,
  n: e.n,
  rate: e.rate,
  interval: e.ci,
});

/** The history line of a run. Smoke runs are refused: they are not a gate. */
export function historyRecordOf(r: Results, id: RunIdentity, file: string): HistoryRecord {
  if (r.smoke)
    throw new InputError({
      file,
      keyPath: "smoke",
      message: `a smoke run (--limit/--filter, ${r.smoke.cases} of ${r.smoke.of} cases) is not a gate and is not kept in the history; add the results of a full run`,
    });
  const metrics: HistoryRecord["metrics"] = {};
  for (const m of METRICS) {
    const s = r.metrics.candidate[m];
    if (s.overall.n === 0) continue;
    metrics[m] = {
      overall: pointOf(s.overall),
      byCategory: Object.fromEntries(Object.entries(s.byCategory).map(([c, e]) => [c, pointOf(e)])),
    };
  }
  const guessed = releaseOf(id.ref);
  const release = id.release ?? guessed.release;
  const target = (t: Results["builds"]["candidate"]["target"]) => ({
    kind: t.kind,
    source: t.source,
    ...(t.label !== undefined ? { label: t.label } : {}),
    ...(t.build !== undefined ? { build: t.build } : {}),
  });
  return {
    history: HISTORY_VERSION,
    commit: id.commit,
    time: r.createdAt,
    ...(id.ref ? { ref: id.ref } : {}),
    release,
    ...(release && (guessed.releaseName ?? id.ref)
      ? { releaseName: guessed.releaseName ?? id.ref?.replace(/^refs\/heads\//, "") }
      : {}),
    verdict: r.verdict,
    tool: r.tool.version,
    config: r.config,
    suitesHash: hashOf(r.suites.map((s) => s.hash)),
    suites: r.suites.map((s) => ({ file: s.file, hash: s.hash, cases: s.cases })),
    builds: {
      candidate: target(r.builds.candidate.target),
      ...(r.builds.baseline ? { baseline: target(r.builds.baseline.target) } : {}),
    },
    metrics,
    gated: METRICS.filter((m) => r.decisions.some((d) => d.metric === m)),
    notPassed: r.decisions
      .filter((d) => d.outcome !== "pass")
      .map((d) => ({
        metric: d.metric,
        ...(d.category !== undefined ? { category: d.category } : {}),
        rule: d.rule,
        outcome: d.outcome,
      })),
    waivers: (r.waivers ?? []).map((w) => ({
      metric: w.metric,
      ...(w.category !== undefined ? { category: w.category } : {}),
      owner: w.owner,
      reason: w.reason,
      expires: w.expires,
      status: w.status,
      applied: w.applied,
    })),
    ...(id.runUrl ? { runUrl: id.runUrl } : {}),
  };
}

/** Reads a history file's text (`file` names it in messages: a path, or branch:path). */
export function parseHistory(text: string, file: string): HistoryRecord[] {
  return parseJsonLines(text, file).map((line) => {
    const v = (line.data as { history?: unknown } | null)?.history;
    if (typeof v === "number" && v > HISTORY_VERSION)
      throw new InputError({
        file,
        position: { line: line.line, column: 1 },
        keyPath: "history",
        message: `a history line of format ${v}; this safety-gate reads format ${HISTORY_VERSION}: upgrade safety-gate to read it`,
      });
    return validate(HistoryRecordSchema, line.data, line);
  });
}

export function serializeHistory(records: readonly HistoryRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join("");
}

export type MergeAction = "added" | "replaced" | "unchanged";

/**
 * `records` with `rec` in it: a commit already there is replaced in place (a re-run of the
 * same commit is one point, and its latest figures), keeping a release mark it had — a tag
 * pushed on a commit main already gated marks that point as the release.
 */
export function mergeRecord(
  records: readonly HistoryRecord[],
  rec: HistoryRecord,
): { records: HistoryRecord[]; action: MergeAction } {
  const at = records.findIndex((r) => r.commit === rec.commit);
  if (at < 0) return { records: [...records, rec], action: "added" };
  const old = records[at] as HistoryRecord;
  const merged: HistoryRecord =
    old.release && !rec.release ? { ...rec, release: true, releaseName: old.releaseName } : rec;
  if (JSON.stringify(old) === JSON.stringify(merged)) return { records: [...records], action: "unchanged" };
  const out = [...records];
  out[at] = merged;
  return { records: out, action: "replaced" };
}

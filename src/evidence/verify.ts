/**
 * `evidence verify`: is this package what was made, and does its verdict follow from it?
 * Every file's sha256 is recomputed against MANIFEST.json (each changed, missing or added
 * file is named), then the recorded graded cases are decided again — by `redecide`, the
 * same `evaluate` the gate run uses — with the packaged config's policy, and the recorded
 * counts, decisions and verdict are compared with what follows. A forger who edits a count
 * and recomputes every hash still gets caught here: the count no longer follows from the
 * cases, or the decision no longer follows from the count.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { withAttacks } from "../attacks/expand.js";
import { parsePolicy } from "../config/policy.js";
import type { ReferenceConfig } from "../config/schema.js";
import { SuitesPartSchema } from "../config/schema.js";
import { hashOf } from "../io/canonical.js";
import { InputError } from "../io/diagnostic.js";
import { parseJson, parseYaml } from "../io/source.js";
import { readText } from "../io/text.js";
import { redecide, type TrustedReference } from "../redecide.js";
import { readResults } from "../report/results-read.js";
import type { Results } from "../report/results-schema.js";
import { loadSuites } from "../suite/load.js";
import { checkFiles, MANIFEST_FILE, type Manifest, ManifestSchema } from "./manifest.js";

export interface Verification {
  /** Files not as MANIFEST.json says. */
  files: string[];
  /** Recorded numbers, decisions or verdict that do not follow from the package. */
  mismatches: string[];
  verdict?: Results["verdict"];
  rederived?: Results["verdict"];
  checkedFiles: number;
}

function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path))
    throw new InputError({ file: path, message: "no MANIFEST.json: this is not an evidence package" });
  const source = parseJson(readText(path, "evidence manifest"), path);
  const parsed = ManifestSchema.safeParse(source.data);
  if (!parsed.success)
    throw new InputError({
      file: path,
      message: `not a safety-gate evidence manifest: ${parsed.error.issues[0]?.message}`,
    });
  return parsed.data;
}

type Decision = Results["decisions"][number];
const decisionName = (d: Decision) =>
  `${d.metric}${d.category ? ` [${d.category}]` : ""} ${d.rule} on ${d.build}`;
const decisionKey = (d: Decision) => `${d.metric}|${d.category ?? ""}|${d.rule}|${d.build}`;

interface LeafDiff {
  path: string;
  recorded: string;
  derived: string;
}

const shownValue = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v));

/** The paths (at most a few per object) where two JSON values differ. */
function leafDiffs(a: unknown, b: unknown, path: string, out: LeafDiff[] = []): LeafDiff[] {
  if (out.length >= 20) return out;
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === "object";
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      leafDiffs(a[k], b[k], Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`, out);
    }
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push({ path, recorded: shownValue(a), derived: shownValue(b) });
  }
  return out;
}

/** Recorded vs re-derived: each count, decision and the verdict that differ, in words. */
export function compareRecord(recorded: Results, again: Results): string[] {
  const out: string[] = [];
  // A count rests under the decisions on its metric, at its level (overall or its category), on its build.
  const restsOn = (metric: string, where: string, build: string) =>
    recorded.decisions
      .filter(
        (d) =>
          d.metric === metric &&
          (d.category ?? "overall") === where &&
          (d.build === build || d.build === "both"),
      )
      .map((d) => `${decisionName(d)} (recorded ${d.outcome})`);
  for (const build of ["candidate", "baseline"] as const) {
    const rec = recorded.metrics[build];
    const re = again.metrics[build];
    if (!rec || !re) continue;
    for (const metric of Object.keys(re) as (keyof typeof re)[]) {
      const pairs: [
        string,
        { failures: number; n: number } | undefined,
        { failures: number; n: number } | undefined,
      ][] = [
        ["overall", rec[metric].overall, re[metric].overall],
        ...Object.keys({ ...rec[metric].byCategory, ...re[metric].byCategory }).map(
          (c) =>
            [c, rec[metric].byCategory[c], re[metric].byCategory[c]] as [
              string,
              (typeof rec)[typeof metric]["overall"] | undefined,
              (typeof rec)[typeof metric]["overall"] | undefined,
            ],
        ),
      ];
      for (const [where, a, b] of pairs) {
        if (a?.failures === b?.failures && a?.n === b?.n) continue;
        const decisions = restsOn(metric, where, build);
        out.push(
          `results.json metrics.${build}.${metric}.${where === "overall" ? "overall" : `byCategory.${where}`}: recorded ${a ? `${a.failures} of ${a.n}` : "nothing"}, the graded cases give ${b ? `${b.failures} of ${b.n}` : "nothing"}` +
            (decisions.length
              ? `; the decisions resting on it no longer follow: ${decisions.join(", ")}`
              : ""),
        );
      }
    }
  }
  // Every other number of the record (rates, intervals, paired tables, p-values) must be what the cases give too.
  for (const build of ["candidate", "baseline"] as const) {
    for (const d of leafDiffs(recorded.metrics[build], again.metrics[build], `metrics.${build}`)) {
      if (/\.(failures|n)$/.test(d.path)) continue; // said above, with the decisions resting on it
      out.push(`results.json ${d.path}: recorded ${d.recorded}, the graded cases give ${d.derived}`);
    }
  }
  const comparisonKey = (c: Results["comparisons"][number]) =>
    `${c.metric}${c.category ? `[${c.category}]` : ""}`;
  const reComparisons = new Map(again.comparisons.map((c) => [comparisonKey(c), c]));
  const recComparisons = new Map(recorded.comparisons.map((c) => [comparisonKey(c), c]));
  for (const key of new Set([...recComparisons.keys(), ...reComparisons.keys()])) {
    for (const d of leafDiffs(recComparisons.get(key), reComparisons.get(key), `comparisons ${key}`)) {
      out.push(`results.json ${d.path}: recorded ${d.recorded}, the graded cases give ${d.derived}`);
    }
  }
  const recDecisions = new Map(recorded.decisions.map((d) => [decisionKey(d), d]));
  const reDecisions = new Map(again.decisions.map((d) => [decisionKey(d), d]));
  for (const [key, d] of reDecisions) {
    const rec = recDecisions.get(key);
    if (!rec) out.push(`decision ${decisionName(d)}: not recorded; the package gives ${d.outcome}`);
    else if (rec.outcome !== d.outcome)
      out.push(
        `decision ${decisionName(d)}: recorded ${rec.outcome}, the package gives ${d.outcome} (${d.reason})`,
      );
    else if (rec.reason !== d.reason)
      out.push(`decision ${decisionName(d)}: recorded "${rec.reason}", the package gives "${d.reason}"`);
  }
  for (const [key, d] of recDecisions) {
    if (!reDecisions.has(key))
      out.push(
        `decision ${decisionName(d)}: recorded ${d.outcome}, but the packaged config makes no such decision`,
      );
  }
  if (recorded.verdict !== again.verdict)
    out.push(`verdict: recorded ${recorded.verdict}, the package gives ${again.verdict}`);
  return out;
}

const NOT_APPLIED = "Regression gates were not applied: ";

/**
 * What the run said, in words only, about its baseline: why there was none (the reason its
 * regression decisions give) and why regression gates did not apply (its note). Taking these
 * from the record cannot change an outcome: either way a regression gate is inconclusive or absent.
 */
function baselineContext(r: Results, configured: boolean) {
  const note = r.notes.find((n) => n.startsWith(NOT_APPLIED));
  const unavailable = r.builds.baseline
    ? undefined
    : r.decisions.find((d) => d.rule === "regression" && d.outcome === "inconclusive")?.reason;
  return {
    configured,
    unavailable,
    notApplicable: note ? note.slice(NOT_APPLIED.length).replace(/\.$/, "") : undefined,
  };
}

/**
 * The reference as the run had it: its recorded cases, or the reason it could not be compared (kept
 * only in the words of its decisions). Like the baseline's, it explains a decision, never changes a number.
 */
function referenceContext(r: Results, spec: ReferenceConfig): TrustedReference {
  const decided = r.decisions.find((d) => d.against?.build === "reference");
  const label = decided?.against?.label ?? spec.label ?? "reference";
  const build = r.builds.reference;
  if (!build) {
    const prefix = `not compared with the reference (${label}): `;
    const why = decided?.reason.startsWith(prefix) ? decided.reason.slice(prefix.length) : undefined;
    return { label, unavailable: why ?? "no reference build" };
  }
  return {
    label,
    source: build.target.source,
    cases: build.cases,
    ...(build.provenance ? { provenance: build.provenance } : {}),
    policy: { sameConfigAndJudge: spec.from !== undefined, maxAgeDays: spec.max_age_days },
  };
}

export function verifyEvidence(dir: string): Verification {
  const manifest = readManifest(dir);
  const files = checkFiles(dir, manifest);
  try {
    return { files, checkedFiles: manifest.files.length, ...rederive(dir, manifest) };
  } catch (err) {
    // A changed file that no longer reads is tampering (exit 1), named above; unchanged and unreadable is exit 2.
    if (!(err instanceof InputError) || files.length === 0) throw err;
    return {
      files,
      mismatches: [`cannot be decided again: ${err.message}`],
      checkedFiles: manifest.files.length,
    };
  }
}

function rederive(
  dir: string,
  manifest: Manifest,
): Pick<Verification, "mismatches" | "verdict" | "rederived"> {
  const resultsPath = join(dir, manifest.roles.results);
  const configPath = join(dir, manifest.roles.config);
  for (const p of [resultsPath, configPath]) {
    if (!existsSync(p))
      throw new InputError({ file: p, message: "missing: the verdict cannot be decided again without it" });
  }
  const resultsSource = parseJson(readText(resultsPath, "results file"), resultsPath);
  const results = readResults(resultsSource.data, resultsSource).results;
  const configText = readText(configPath, "config file");
  const configSource = parseYaml(configText, configPath);
  const mismatches: string[] = [];
  if (hashOf(configSource.data) !== results.config.hash) {
    mismatches.push(
      `${manifest.roles.config}: its hash ${hashOf(configSource.data)} is not the config hash results.json records (${results.config.hash})`,
    );
  }
  // The suites as the run loaded them: with the config's attack variants, when it has any.
  const attacks = SuitesPartSchema.shape.attacks.safeParse(
    (configSource.data as { attacks?: unknown })?.attacks,
  );
  try {
    const suites = withAttacks(
      loadSuites(manifest.roles.suites.map((s) => ({ file: join(dir, s) }))),
      attacks.success ? attacks.data : undefined,
    );
    results.suites.forEach((s, i) => {
      const got = suites[i];
      if (got?.hash !== s.hash)
        mismatches.push(
          `${manifest.roles.suites[i] ?? s.file}: its hash ${got?.hash ?? "(absent)"} is not the suite hash results.json records (${s.hash})`,
        );
    });
  } catch (err) {
    mismatches.push(`the packaged suites cannot be read: ${(err as Error).message}`);
  }
  const policy = parsePolicy(configText, configPath);
  const baseline = (configSource.data as { baseline?: { from?: unknown; max_age_days?: unknown } })?.baseline;
  const again = redecide(results, {
    policy,
    from: manifest.roles.config,
    branch: results.profile?.branch,
    // Waivers and baseline age are judged as of the run, not as of the audit.
    now: new Date(results.createdAt),
    baselinePolicy: {
      sameConfigAndJudge: baseline?.from !== undefined,
      maxAgeDays: typeof baseline?.max_age_days === "number" ? baseline.max_age_days : undefined,
    },
    baselineContext: baselineContext(results, baseline !== undefined),
    ...(policy.reference ? { reference: referenceContext(results, policy.reference) } : {}),
  });
  mismatches.push(...compareRecord(results, again));
  return { mismatches, verdict: results.verdict, rederived: again.verdict };
}

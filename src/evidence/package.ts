/**
 * Makes an evidence package from a run's results.json: what a release review and an auditor
 * need, in one directory, each file's sha256 in MANIFEST.json. The config and suites are
 * taken as the run used them — their hashes must match the ones results.json records —
 * so the package can be decided again from itself (./verify.ts). Nothing here knows of
 * GitHub: the commit and run URL are passed in by the command line adapter.
 */
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { withAttacks } from "../attacks/expand.js";
import { type LoadedConfig, loadConfig } from "../config/load.js";
import { RATE_METRICS } from "../gate/metric-names.js";
import { writeFileAtomic } from "../io/atomic.js";
import { hashOf } from "../io/canonical.js";
import { InputError } from "../io/diagnostic.js";
import { parseYaml } from "../io/source.js";
import { readText } from "../io/text.js";
import type { Results } from "../report/results-schema.js";
import { isBuiltinRef, resolveSuiteRef, type SuiteSource } from "../suite/builtin.js";
import { computeCoverage } from "../suite/coverage.js";
import { loadSuites, type Suite } from "../suite/load.js";
import { lockPathFor } from "../suite/lock.js";
import { VERSION } from "../version.js";
import { listFiles, MANIFEST_FILE, type Manifest, manifestEntries } from "./manifest.js";
import { modelIndex, renderModelCard, renderModelIndexYaml } from "./model-card.js";
import { renderSummary } from "./summary.js";

/** Where and from what the run was made, beyond results.json (given by the adapter). */
export interface RunContext {
  commit?: string;
  runUrl?: string;
}

export interface Provenance extends RunContext {
  tool: Results["tool"];
  packagedBy: string;
  createdAt: string;
  config: Results["config"];
  suites: { file: string; hash: string; cases: number; packaged: string }[];
  builds: Record<
    string,
    { target: Results["builds"]["candidate"]["target"]; graders: string[]; provenance?: unknown }
  >;
}

export interface GraderRecord {
  candidate: string[];
  baseline?: string[];
  /** Each gate's `calibration:` — the grader's measured sensitivity and specificity for that metric. */
  calibration: {
    metric: string;
    sensitivity: number;
    specificity: number;
    positives: number;
    negatives: number;
  }[];
  /** The config's `graders:` block as written (no `${VAR}` is expanded, so no secret enters it). */
  config?: unknown;
}

export interface EvidenceInput {
  results: Results;
  /** results.json exactly as read: the package carries those bytes. */
  resultsPath: string;
  /** The config the run used (default: the path results.json records). */
  configPath?: string;
  outDir: string;
  context: RunContext;
  now: Date;
}

export interface EvidenceOutput {
  files: string[];
  manifest: Manifest;
}

/** The run's suites, loaded as the run loaded them (attacks applied), and the files they came from. */
function runSuites(configPath: string, r: Results): { sources: SuiteSource[]; suites: Suite[] } {
  let loaded: LoadedConfig | undefined;
  try {
    loaded = loadConfig(configPath);
  } catch {
    // A config whose `${VAR}`s are not set here: its suites are taken from results.json's paths.
  }
  const sources =
    loaded?.suites ??
    r.suites.map((s) => (isBuiltinRef(s.file) ? resolveSuiteRef(s.file, ".") : { file: resolve(s.file) }));
  const suites = withAttacks(loadSuites(sources), loaded?.config.attacks);
  return { sources, suites };
}

function graderRecord(r: Results, configData: unknown): GraderRecord {
  const gates = ((configData as { gates?: Record<string, unknown> })?.gates ?? {}) as Record<
    string,
    { calibration?: GraderRecord["calibration"][number] } | false
  >;
  const calibration = RATE_METRICS.flatMap((m) => {
    const c = gates[m]
      ? (gates[m] as { calibration?: Omit<GraderRecord["calibration"][number], "metric"> }).calibration
      : undefined;
    return c ? [{ metric: m, ...c }] : [];
  });
  return {
    candidate: r.builds.candidate.graders,
    baseline: r.builds.baseline?.graders,
    calibration,
    config: (configData as { graders?: unknown })?.graders,
  };
}

const jsonl = (rows: readonly unknown[]) => rows.map((x) => `${JSON.stringify(x)}\n`).join("");

export function writeEvidence(input: EvidenceInput): EvidenceOutput {
  const { results: r, outDir } = input;
  const configPath = input.configPath ?? r.config.file;
  if (!existsSync(configPath)) {
    throw new InputError({
      file: configPath,
      message: "the config the run used is not here; pass --config with the file the run used",
    });
  }
  const configText = readText(configPath, "config file");
  const configData = parseYaml(configText, configPath).data;
  if (hashOf(configData) !== r.config.hash) {
    throw new InputError({
      file: configPath,
      message: `is not the config the run used: its hash is ${hashOf(configData)}, results.json records ${r.config.hash}; pass --config with the file the run used`,
    });
  }
  const { sources, suites } = runSuites(configPath, r);
  r.suites.forEach((s, i) => {
    const got = suites[i];
    if (!got || got.hash !== s.hash) {
      throw new InputError({
        file: sources[i]?.file ?? s.file,
        message: `is not the suite the run used: its hash is ${got?.hash ?? "(absent)"}, results.json records ${s.hash}`,
      });
    }
  });

  mkdirSync(outDir, { recursive: true });
  const stale = listFiles(outDir);
  if (stale.length) {
    throw new InputError({
      file: outDir,
      message: `is not empty (${stale.slice(0, 3).join(", ")}${stale.length > 3 ? ", …" : ""}); an evidence package is made in a new directory`,
    });
  }
  const write = (rel: string, content: string) => writeFileAtomic(join(outDir, rel), content);
  const copy = (from: string, rel: string) => {
    mkdirSync(dirname(join(outDir, rel)), { recursive: true });
    copyFileSync(from, join(outDir, rel));
  };

  copy(input.resultsPath, "results.json");
  const configRel = `config/${basename(configPath)}`;
  copy(configPath, configRel);
  const lock = lockPathFor(configPath);
  if (existsSync(lock)) copy(lock, `config/${basename(lock)}`);
  const used = new Set<string>();
  const suiteRels = sources.map((s, i) => {
    let name = basename(s.file);
    if (used.has(name)) name = `${i + 1}-${name}`;
    used.add(name);
    const rel = `suites/${name}`;
    copy(s.file, rel);
    return rel;
  });

  const graders = graderRecord(r, configData);
  write("graders.json", `${JSON.stringify(graders, null, 2)}\n`);
  for (const role of ["candidate", "baseline"] as const) {
    const build = r.builds[role];
    if (!build) continue;
    write(
      `responses/${role}.jsonl`,
      jsonl(
        build.cases.map((c) => ({
          id: c.id,
          category: c.category,
          expect: c.expect,
          metric: c.metric,
          status: c.status,
          response: c.response,
          // An agent's calls are its answer as much as its text: the auditor gets both.
          ...(c.tool_calls ? { tool_calls: c.tool_calls } : {}),
          ...(c.steps ? { steps: c.steps } : {}),
          error: c.error,
          grades: c.grades,
          ...(c.samples ? { samples: c.samples } : {}),
        })),
      ),
    );
  }
  const provenance: Provenance = {
    tool: r.tool,
    packagedBy: `safety-gate ${VERSION}`,
    createdAt: r.createdAt,
    config: r.config,
    suites: r.suites.map((s, i) => ({
      file: s.file,
      hash: s.hash,
      cases: s.cases,
      packaged: suiteRels[i] ?? "",
    })),
    builds: Object.fromEntries(
      (["candidate", "baseline"] as const).flatMap((role) => {
        const b = r.builds[role];
        return b ? [[role, { target: b.target, graders: b.graders, provenance: b.provenance }]] : [];
      }),
    ),
    ...(input.context.commit ? { commit: input.context.commit } : {}),
    ...(input.context.runUrl ? { runUrl: input.context.runUrl } : {}),
  };
  write("provenance.json", `${JSON.stringify(provenance, null, 2)}\n`);
  const coverage = computeCoverage(suites, { min: 20, similarity: 0.8 });
  write("coverage.json", `${JSON.stringify(coverage, null, 2)}\n`);
  write("SUMMARY.md", renderSummary({ results: r, coverage, graders, provenance }));
  write("model-card.md", renderModelCard(r, input.context.runUrl));
  write("model-index.yml", renderModelIndexYaml(modelIndex(r, input.context.runUrl)));

  const files = listFiles(outDir);
  const manifest: Manifest = {
    manifestVersion: 1,
    tool: { name: "safety-gate", version: VERSION },
    createdAt: input.now.toISOString(),
    roles: { results: "results.json", config: configRel, suites: suiteRels },
    files: manifestEntries(outDir, files),
  };
  write(MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
  return { files: [...files, MANIFEST_FILE], manifest };
}

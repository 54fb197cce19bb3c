/**
 * The engine: config → suites → responses → grades → metrics → paired comparison →
 * decisions → results. It knows nothing of GitHub or the terminal; `cli.ts` and
 * `action.ts` are thin adapters over `runGate`.
 */
import { withAttacks } from "./attacks/expand.js";
import { checkTargetFiles, loadConfig } from "./config/load.js";
import { type Comparison, compareBuilds } from "./gate/compare.js";
import { decide, worst } from "./gate/decide.js";
import { computeMetrics } from "./gate/metrics.js";
import { type CaseOutcome, scoreCase } from "./gate/outcome.js";
import { canaryDetector } from "./graders/canary.js";
import { refusalDetector } from "./graders/refusal.js";
import { displayPath } from "./io/display.js";
import { Redactor } from "./io/redact.js";
import type { ReportOptions } from "./report/markdown.js";
import type { Results } from "./report/results-schema.js";
import type { Progress } from "./runner/progress.js";
import { type LoadedCase, loadSuites, type Suite } from "./suite/load.js";
import { caseHashes, checkLock, explainSuiteChange, lockPathFor, namedSuites } from "./suite/lock.js";
import { createTarget } from "./targets/index.js";
import type { CaseResponse, Target } from "./targets/target.js";
import { VERSION } from "./version.js";

export interface RunOptions {
  configPath: string;
  env?: NodeJS.ProcessEnv;
  /** Fixed clock for reproducible output in tests. */
  now?: Date;
  /** Out dir: live targets journal their responses here, and a re-run resumes from it. */
  outDir?: string;
  /** Progress of live targets (default: none). */
  progress?: Progress;
  /** Told of every credential before any request is sent (the action masks them in its log). */
  registerSecret?: (value: string) => void;
}

const GRADERS = [refusalDetector.id, canaryDetector.id];

/** Gathers a target's responses (one per case and sample, in any order) and scores each case from all of its own. */
async function collect(target: Target, cases: readonly LoadedCase[]): Promise<CaseOutcome[]> {
  const answers = new Map<string, CaseResponse[]>();
  for await (const r of target.respond(cases)) {
    const list = answers.get(r.id);
    if (list) list.push(r);
    else answers.set(r.id, [r]);
  }
  return cases.map((c) => scoreCase(c, answers.get(c.id)));
}

/** Why a baseline from an earlier run cannot be paired with this one, if it cannot. */
function suiteMismatch(suites: readonly Suite[], baseline: Target): string | undefined {
  const before = baseline.provenance?.suites;
  return before ? explainSuiteChange(before, suites) : undefined;
}

export interface GateRun {
  results: Results;
  report: ReportOptions;
}

export async function runGate(options: RunOptions): Promise<GateRun> {
  const loaded = loadConfig(options.configPath, options.env);
  checkTargetFiles(loaded);
  const { config } = loaded;
  const suites = withAttacks(loadSuites(loaded.suites), config.attacks);
  checkLock(lockPathFor(options.configPath), namedSuites(config.suites, suites));
  const cases = suites.flatMap((s) => s.cases);

  const live = {
    env: options.env ?? process.env,
    outDir: options.outDir,
    progress: options.progress,
    redactor: new Redactor(loaded.secrets),
  };
  const candidateTarget = createTarget(loaded, "candidate", live);
  const baselineTarget = loaded.baseline ? createTarget(loaded, "baseline", live) : undefined;
  for (const secret of live.redactor.values) options.registerSecret?.(secret);
  const candidate = await collect(candidateTarget, cases);
  const baseline = baselineTarget ? await collect(baselineTarget, cases) : undefined;

  const notes: string[] = [];
  const incomparable = baselineTarget ? suiteMismatch(suites, baselineTarget) : undefined;
  const compared =
    baseline && !incomparable
      ? compareBuilds(config.gates, candidate, new Map(baseline.map((o) => [o.id, o])), config.confidence)
      : undefined;
  const comparisons: Comparison[] = compared?.comparisons ?? [];
  notes.push(...(compared?.notes ?? []));

  const metrics = {
    candidate: computeMetrics(candidate, config.confidence),
    baseline: baseline ? computeMetrics(baseline, config.confidence) : undefined,
  };
  const decisions = decide({
    gates: config.gates,
    candidate: metrics.candidate,
    baseline: metrics.baseline,
    comparisons,
    incomparable,
  });
  if (decisions.length === 0)
    notes.push("No gate is configured: every metric is reported, none is enforced.");

  const results: Results = {
    schemaVersion: 1,
    verdict: worst(decisions.map((d) => d.outcome)),
    tool: { name: "safety-gate", version: VERSION },
    createdAt: (options.now ?? new Date()).toISOString(),
    config: { file: displayPath(options.configPath), hash: loaded.hash },
    suites: suites.map((s) => ({
      file: s.file,
      hash: s.hash,
      cases: s.cases.length,
      caseHashes: caseHashes(s.cases),
    })),
    confidence: config.confidence,
    builds: {
      candidate: { target: candidateTarget.identity, graders: GRADERS, cases: candidate },
      baseline:
        baselineTarget && baseline
          ? {
              target: baselineTarget.identity,
              provenance: baselineTarget.provenance,
              graders: GRADERS,
              cases: baseline,
            }
          : undefined,
    },
    metrics,
    comparisons,
    decisions,
    notes,
  };
  return {
    results,
    report: { maxFlips: config.report.max_flips, maxResponseChars: config.report.max_response_chars },
  };
}

/**
 * The engine: config → suites → responses → grades → metrics → paired comparison →
 * decisions → results. It knows nothing of GitHub or the terminal; `cli.ts` and
 * `action.ts` are thin adapters over `runGate`.
 */
import { loadConfig } from "./config/load.js";
import { type Comparison, comparePaired } from "./gate/compare.js";
import { decide, matchedLevel, worst } from "./gate/decide.js";
import { computeMetrics, RATE_METRICS, type RateMetric } from "./gate/metrics.js";
import { type CaseOutcome, scoreCase } from "./gate/outcome.js";
import { canaryDetector } from "./graders/canary.js";
import { refusalDetector } from "./graders/refusal.js";
import { displayPath } from "./io/display.js";
import { Redactor } from "./io/redact.js";
import type { ReportOptions } from "./report/markdown.js";
import type { Results } from "./report/results-schema.js";
import { LiveTarget } from "./runner/live-target.js";
import type { Progress } from "./runner/progress.js";
import { type LoadedCase, loadSuites, type Suite } from "./suite/load.js";
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

async function collect(target: Target, cases: readonly LoadedCase[]): Promise<CaseOutcome[]> {
  const answers = new Map<string, CaseResponse>();
  // Several samples per case are requested and journaled, but graded from sample 0 until
  // the clustered statistics for repeated samples exist.
  for await (const r of target.respond(cases)) if (r.sample === 0) answers.set(r.id, r);
  return cases.map((c) => scoreCase(c, answers.get(c.id)));
}

/** Why a baseline from an earlier run cannot be paired with this one, if it cannot. */
function suiteMismatch(suites: readonly Suite[], baseline: Target): string | undefined {
  const before = baseline.provenance?.suites;
  if (!before) return undefined;
  const now = new Set(suites.map((s) => s.hash));
  const then = new Set(before.map((s) => s.hash));
  if (now.size === then.size && [...now].every((h) => then.has(h))) return undefined;
  const fmt = (list: readonly { file: string; hash: string }[]) =>
    list.map((s) => `${s.file} (${s.hash.slice(0, 19)}…)`).join(", ");
  return `the baseline was run on different suites: baseline ${fmt(before)}; candidate ${fmt(suites)}. Re-run the baseline on the current suites`;
}

export interface GateRun {
  results: Results;
  report: ReportOptions;
}

export async function runGate(options: RunOptions): Promise<GateRun> {
  const loaded = loadConfig(options.configPath, options.env);
  const { config } = loaded;
  const suites = loadSuites(loaded.suites);
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
  if (config.runner.samples > 1 && [candidateTarget, baselineTarget].some((t) => t instanceof LiveTarget)) {
    notes.push(
      `\`runner.samples: ${config.runner.samples}\`: every sample was requested and is in the journal; this version grades sample 0 of each case.`,
    );
  }
  const incomparable = baselineTarget ? suiteMismatch(suites, baselineTarget) : undefined;
  const comparisons = new Map<RateMetric, Comparison>();
  if (baseline && !incomparable) {
    const byId = new Map(baseline.map((o) => [o.id, o]));
    for (const metric of RATE_METRICS) {
      const alpha = config.gates[metric]?.regression?.alpha;
      const cmp = comparePaired(
        metric,
        candidate,
        byId,
        alpha === undefined ? config.confidence : matchedLevel(alpha),
      );
      if (cmp.pairs + cmp.unpaired > 0) comparisons.set(metric, cmp);
    }
  }
  if (cases.some((c) => c.cluster !== undefined)) {
    notes.push(
      "Some cases share a `cluster`; this version analyses cases as independent, so intervals may be too narrow for clustered suites.",
    );
  }

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
    suites: suites.map((s) => ({ file: s.file, hash: s.hash, cases: s.cases.length })),
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
    comparisons: [...comparisons.values()],
    decisions,
    notes,
  };
  return {
    results,
    report: { maxFlips: config.report.max_flips, maxResponseChars: config.report.max_response_chars },
  };
}

#!/usr/bin/env node
/**
 * `safety-gate` command line: a thin adapter over the core. Exit codes are a contract
 * with CI scripts: 0 pass, 1 fail, 2 usage/config/input error, 3 inconclusive,
 * 4 internal error (a bug: please report it with --debug output).
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type Io, parseCommandArgs, UsageError, unknownCommand } from "./commands/common.js";
import { coverageCommand } from "./commands/coverage.js";
import { estimateRun, renderEstimate } from "./commands/estimate.js";
import { evidenceCommand } from "./commands/evidence.js";
import { commandHelp } from "./commands/help.js";
import { historyCommand } from "./commands/history.js";
import { importCommand } from "./commands/import.js";
import { initCommand } from "./commands/init.js";
import { lockCommand } from "./commands/lock.js";
import { trendCommand } from "./commands/trend.js";
import { NO_OUT_NOTE, noProfileWarning, recordedNote, validateConfig } from "./commands/validate.js";
import { viewCommand } from "./commands/view.js";
import type { TargetConfig } from "./config/schema.js";
import { mergeShards, type RunOptions, runGate, runShard } from "./core.js";
import type { Verdict } from "./gate/waivers.js";
import { checkRunLine, DEFAULT_CHECK_NAME, DEFAULT_STATUS_CONTEXT } from "./github/publish.js";
import { publishFromCli } from "./github/publish-cli.js";
import {
  CALIBRATABLE_NAMES,
  calibratableGrader,
  calibrate,
  calibrationJson,
  readLabels,
  renderCalibration,
} from "./graders/calibrate.js";
import {
  calibrateToolMisuse,
  renderToolMisuseCalibration,
  toolMisuseCalibrationJson,
} from "./graders/calibrate-tool-misuse.js";
import { reactToolMisuse } from "./graders/react-tool-misuse.js";
import { writeStreamAtomic } from "./io/atomic.js";
import { InputError } from "./io/diagnostic.js";
import { displayPath } from "./io/display.js";
import { emitJson } from "./io/json-stream.js";
import { lockOutDir } from "./io/out-lock.js";
import { pipeWriter } from "./io/pipe-writer.js";
import { plural } from "./io/plural.js";
import { writePartial } from "./report/partial.js";
import type { Results } from "./report/results-schema.js";
import { colorStyle, plainStyle, renderTerminal } from "./report/terminal.js";
import { writeReport } from "./report/write.js";
import { createProgress } from "./runner/progress.js";
import { parseShard, SHARD_SYNTAX } from "./suite/shard.js";
import { VERSION } from "./version.js";

export const EXIT: Record<Verdict | "usage" | "internal" | "unposted", number> = {
  pass: 0,
  // An accepted risk on the record lets the release through; the output says "waived", never "pass".
  waived: 0,
  fail: 1,
  usage: 2,
  inconclusive: 3,
  internal: 4,
  unposted: 5,
};

const HELP = `safety-gate ${VERSION} — gate a model build on paired safety metrics

Usage:
  safety-gate init [--target openai|http|command|replay] [--dir DIR] [--yes] [--force]
  safety-gate run [--config FILE] [--out DIR] [--branch NAME] [--quiet] [--debug]
                  [--record-baseline FILE | --baseline FILE] [--limit N] [--filter GLOB]
                  [--fresh] [--compare-unchanged] [--shard K/N] [--estimate]
  safety-gate merge PARTS... --out DIR [--config FILE] [--branch NAME] [--quiet]
  safety-gate validate [--config FILE]
  safety-gate coverage [SUITE...] [--config FILE] [--min N] [--json]
  safety-gate lock [--config FILE] [--check]
  safety-gate evidence --results FILE --out DIR [--config FILE] | evidence verify DIR
  safety-gate history add --results FILE --history FILE | history show --history FILE
  safety-gate trend HISTORY_OR_RESULTS... --out DIR
  safety-gate import FORMAT FILE... --out DIR     (safety-gate import --help)
  safety-gate publish --results FILE --repo OWNER/NAME --sha SHA [--pr N] [options]
  safety-gate calibrate --grader NAME --labels FILE.jsonl... [--suite FILE] [--json]
  safety-gate view DIR [--no-open]                (safety-gate view --help)
  safety-gate --version | --help

Commands:
  init       write a commented safety-gate.yml, a suite template, the two GitHub
             workflows and .gitignore entries (safety-gate init --help)
  run        grade both builds, compare them and print the verdict; with --out, write
             DIR/results.json, report.md, report.html and junit.xml
  merge      combine the partial results of 'run --shard K/N' (PARTS: the shards' --out
             folders) into one results.json, reports and verdict, the same as one
             run on all the cases; refuses shards of other suites, configs or builds,
             a missing or duplicated shard and shards of different N
  validate   check the config and its suites without grading anything
  coverage   cases per taxonomy category, expect mix, clusters, attacks, gaps
             and duplicates (no SUITE: all built-in suites; builtin:NAME or a path)
  lock       write the suite lock (<config>.lock) that run checks; --check only compares
  evidence   the evidence package for a release review: summary, results, suites,
             config, graders, responses, provenance, model card, MANIFEST.json;
             'evidence verify DIR' checks the hashes and decides the verdict again
             (0 verified, 1 changed or does not follow, 2 unreadable)
  history    keep a run's summary in a history file, one line per commit (history
             add), or print it (history show) (safety-gate history --help)
  trend      DIR/index.html (each metric over time with intervals, releases marked,
             per category, a table) and DIR/trend.json from history and results files
  import     convert XSTest, JailbreakBench, HarmBench, StrongREJECT, InjecAgent
             or any CSV/JSONL
  publish    post a results.json to GitHub as the action does: the pull-request
             comment (with --pr), a check run and a commit status; the token is
             read from GITHUB_TOKEN (or GH_TOKEN)
  calibrate  measure a grader against human labels: accuracy, precision,
             recall, F1, Cohen's κ and the confusion matrix (graders: refusal,
             react-tool-misuse against InjecAgent's labels from import injecagent)
  view       open DIR/report.html (verdict, tables, charts, every case with
             filters and search) in the browser; prints its file URL

Options:
  -c, --config FILE   gate config (default: safety-gate.yml); for publish, optional,
                      supplies the report settings (redact, max_flips)
  -o, --out DIR       where the results and reports are written; live targets also
                      journal every response there, and re-running resumes from it
      --branch NAME   branch that chooses a config profile (e.g. the PR's base branch)
  run: --record-baseline FILE  run the candidate only and write its results.json to
                      FILE, the baseline of later runs; no gate is judged (exit 0)
       --baseline FILE  compare with this results.json (or recorded .jsonl) instead of
                      the config's baseline: reproduce a CI comparison locally
       --limit N, --filter GLOB  smoke run on the first N cases / the cases whose id or
                      category matches GLOB: labelled "not a gate", never passes (exit 3)
       --fresh        ask every case again (no journaled or cached answer is reused)
       --compare-unchanged  against a baseline run on other suites, compare on the
                      unchanged cases; added, removed and edited cases are named
       --shard K/N    answer and grade shard K of N (a slice balanced by expected cost,
                      clusters and samples kept together) and write DIR/partial.json:
                      no verdict, exit 0; 'safety-gate merge' combines the N shards
       --estimate     print requests, tokens (o200k_base) and cost per live build
                      before anything is sent, then exit 0 (sends nothing)
  -q, --quiet         print only the verdict line (no progress)
      --no-color      plain output (also: NO_COLOR=1)
      --debug         print stack traces for internal errors
  publish: --check-name NAME (default safety-gate; the one to require),
           --status-context NAME (default "safety-gate / status"),
           --no-comment, --inconclusive failure|neutral, --api-url URL
           (default GITHUB_API_URL or https://api.github.com), --history FILE
           (sparklines in the comment), --trend-url URL (linked from it)
      --grader NAME   calibrate: the grader to measure
      --labels FILE   calibrate: JSONL of {"response", "label", "prompt"?, "group"?};
                      react-tool-misuse: repeatable, lines {"id", "step", "response", "label"}
      --suite FILE    calibrate react-tool-misuse: the labels' suite (default: the
                      import's DIR/suite.jsonl beside DIR/labels/)
      --json          calibrate: print one JSON object instead of the table

Exit codes: 0 pass (or waived), 1 fail, 2 usage/config/input error, 3 inconclusive,
4 internal error, 5 publish could not post everything.`;

/** Commands with their own options; `run` and `validate` share the gate options below. */
const SUBCOMMANDS: Record<string, (argv: string[], io: Io) => Promise<number>> = {
  init: initCommand,
  import: importCommand,
  coverage: coverageCommand,
  lock: lockCommand,
  evidence: evidenceCommand,
  history: historyCommand,
  trend: trendCommand,
  view: viewCommand,
};

/** Commands parsed with the shared options below. */
const SHARED_COMMANDS = ["run", "validate", "merge", "publish", "calibrate"];

/** Every command, for "did you mean" (a new command joins SUBCOMMANDS or SHARED_COMMANDS). */
const commandNames = (): string[] => [...SHARED_COMMANDS, ...Object.keys(SUBCOMMANDS), "help"];

export async function main(argv: string[], io: Io): Promise<number> {
  let debug = argv.includes("--debug");
  try {
    const first = argv[0];
    const sub = first !== undefined ? SUBCOMMANDS[first] : undefined;
    if (sub) return await sub(argv.slice(1), io);
    // `safety-gate help COMMAND` is `safety-gate COMMAND --help`.
    const helpFor = first === "help" ? argv[1] : undefined;
    if (helpFor !== undefined && SUBCOMMANDS[helpFor]) return await SUBCOMMANDS[helpFor]([`--help`], io);
    const named = helpFor ?? first;
    if (named !== undefined && !named.startsWith("-") && !commandNames().includes(named))
      throw unknownCommand(named, commandNames());
    const { values, positionals } = parseCommandArgs(
      named?.startsWith("-") ? "safety-gate" : (named ?? "safety-gate"),
      {
        args: argv,
        allowPositionals: true,
        strict: true,
        options: {
          config: { type: "string", short: "c" },
          out: { type: "string", short: "o" },
          branch: { type: "string" },
          results: { type: "string" },
          repo: { type: "string" },
          sha: { type: "string" },
          pr: { type: "string" },
          "check-name": { type: "string", default: DEFAULT_CHECK_NAME },
          "status-context": { type: "string", default: DEFAULT_STATUS_CONTEXT },
          "no-comment": { type: "boolean", default: false },
          inconclusive: { type: "string", default: "failure" },
          "api-url": { type: "string" },
          history: { type: "string" },
          "trend-url": { type: "string" },
          quiet: { type: "boolean", short: "q", default: false },
          "no-color": { type: "boolean", default: false },
          debug: { type: "boolean", default: false },
          help: { type: "boolean", short: "h", default: false },
          version: { type: "boolean", short: "v", default: false },
          grader: { type: "string" },
          labels: { type: "string", multiple: true },
          suite: { type: "string" },
          json: { type: "boolean", default: false },
          "record-baseline": { type: "string" },
          baseline: { type: "string" },
          limit: { type: "string" },
          filter: { type: "string" },
          fresh: { type: "boolean", default: false },
          "compare-unchanged": { type: "boolean", default: false },
          shard: { type: "string" },
          estimate: { type: "boolean", default: false },
        },
      },
    );
    debug = values.debug;
    if (values.version) {
      io.stdout(`${VERSION}\n`);
      return EXIT.pass;
    }
    const command = positionals[0];
    const usage = commandHelp(HELP, helpFor ?? command ?? "");
    if ((values.help || helpFor !== undefined) && usage !== undefined) {
      io.stdout(`${usage}\n`);
      return EXIT.pass;
    }
    if (values.help || command === undefined || command === "help") {
      io.stdout(`${HELP}\n`);
      return command === undefined && !values.help ? EXIT.usage : EXIT.pass;
    }
    if (command !== "merge" && positionals.length > (command === "help" ? 2 : 1))
      throw new UsageError(`unexpected argument "${positionals[1]}"`);
    const color = io.color && !values["no-color"];

    if (command !== "publish" && (values.history !== undefined || values["trend-url"] !== undefined))
      throw new UsageError(`--history and --trend-url are options of publish, not of ${command}`);
    const configPath = values.config ?? "safety-gate.yml";
    if (command === "validate") {
      const validated = await validateConfig(configPath, values.branch);
      const { suites, profile } = validated;
      if (values.branch !== undefined && !profile) io.stderr(`${noProfileWarning(values.branch)}\n`);
      for (const note of validated.notes) io.stderr(`${note}\n`);
      io.stdout(
        `${displayPath(configPath)}: ok — ${plural(
          suites.reduce((n, s) => n + s.cases.length, 0),
          "case",
        )} in ${plural(suites.length, "suite")}${profile ? `; profile ${profile}` : ""}${recordedNote(validated)}\n`,
      );
      return EXIT.pass;
    }
    if (command === "publish") {
      for (const need of ["results", "repo", "sha"] as const) {
        if (values[need] === undefined) throw new UsageError(`publish needs --${need}`);
      }
      const { results, published, failures } = await publishFromCli({
        results: values.results as string,
        repo: values.repo as string,
        sha: values.sha as string,
        pr: values.pr,
        config: values.config,
        checkName: values["check-name"],
        statusContext: values["status-context"],
        comment: !values["no-comment"],
        inconclusive: values.inconclusive,
        apiUrl: values["api-url"],
        history: values.history,
        trendUrl: values["trend-url"],
        env: process.env,
        warn: (m) => io.stderr(`${m}\n`),
      });
      if (published.commentUrl) io.stdout(`comment ${published.commentAction}: ${published.commentUrl}\n`);
      if (published.checkUrl) io.stdout(`${checkRunLine(published)}\n`);
      if (published.status) io.stdout("commit status posted\n");
      io.stdout(`safety-gate: ${results.verdict.toUpperCase()}\n`);
      if (failures.length) {
        io.stderr(`safety-gate: not posted: ${failures.join("; ")}\n`);
        return EXIT.unposted;
      }
      return EXIT[results.verdict];
    }
    if (command === "calibrate") {
      const labels = values.labels ?? [];
      if (labels.length === 0) throw new UsageError("calibrate needs --labels FILE.jsonl");
      const name = values.grader ?? "refusal";
      if (name === "react-tool-misuse" || name === reactToolMisuse.id) {
        const report = calibrateToolMisuse(labels, { suite: values.suite });
        io.stdout(
          values.json
            ? `${JSON.stringify(toolMisuseCalibrationJson(report))}\n`
            : `${renderToolMisuseCalibration(report)}\n`,
        );
        return EXIT.pass;
      }
      const grader = calibratableGrader(name);
      if (!grader)
        throw new UsageError(
          `unknown grader "${name}" for calibrate; expected ${[...CALIBRATABLE_NAMES, "react-tool-misuse"].join(", ")}`,
        );
      const [file, ...more] = labels as [string, ...string[]];
      if (more.length > 0)
        throw new UsageError(`calibrate --grader ${name} reads one labels file; give --labels once`);
      const report = calibrate(grader, readLabels(file), file);
      io.stdout(
        values.json ? `${JSON.stringify(calibrationJson(report))}\n` : `${renderCalibration(report)}\n`,
      );
      return EXIT.pass;
    }
    if (command === "merge") return await mergeCommand(positionals.slice(1), values, io, color);
    if (command !== "run") throw unknownCommand(command, commandNames());
    if (values.shard !== undefined) return await shardCommand(values, io);

    const runFlags = runOptionsOf(values);
    if (values.estimate) {
      // Nothing is sent, nothing is written: the tokenizer counts the prompts the run would send.
      const estimate = await estimateRun(configPath, {
        branch: values.branch,
        subset: runFlags.subset,
        baseline: !runFlags.recordingBaseline && runFlags.baselineFile === undefined,
      });
      io.stdout(`${renderEstimate(estimate)}\n`);
      return EXIT.pass;
    }
    const progress = createProgress(values.quiet ? "quiet" : (io.progress ?? "lines"), io.stderr);
    const outDir = values.out ? resolve(values.out) : undefined;
    // Before anything is asked: a second run on the same out dir would ask everything again.
    const lock = outDir ? lockOutDir(outDir) : undefined;
    if (lock?.note) io.stderr(`${lock.note}\n`);
    let gated: Awaited<ReturnType<typeof runGate>>;
    let written: ReturnType<typeof writeReport> | undefined;
    try {
      gated = await runGate({
        configPath,
        outDir,
        progress,
        branch: values.branch,
        ...runFlags,
        notice: (m) => io.stderr(`safety-gate: ${m}\n`),
      });
      written = outDir ? writeReport(gated.results, outDir, gated.report) : undefined;
    } finally {
      lock?.release();
    }
    const { results } = gated;
    if (values.branch !== undefined && !results.profile) io.stderr(`${noProfileWarning(values.branch)}\n`);
    const recordTo = values["record-baseline"];
    if (recordTo !== undefined && results.budget) {
      // Some of the cases would be every later run's baseline: nothing is recorded.
      io.stderr(
        `safety-gate: no baseline recorded in ${displayPath(resolve(recordTo))}: ${results.budget.map((b) => b.reason).join("; ")}\n`,
      );
      return EXIT.inconclusive;
    }
    if (recordTo !== undefined) {
      io.stdout(`${recordBaseline(results, recordTo, gated.configBaseline)}\n`);
      return EXIT.pass;
    }
    if (values.quiet)
      io.stdout(
        `safety-gate: ${results.verdict.toUpperCase()}${results.smoke ? " (smoke run — not a gate)" : ""}\n`,
      );
    else io.stdout(`${renderTerminal(results, color ? colorStyle : plainStyle)}\n`);
    if (written && !values.quiet) {
      io.stdout(
        `\nwrote ${displayPath(written.resultsPath)}, report.md, report.html and junit.xml in ${displayPath(resolve(values.out ?? "."))}\n`,
      );
    }
    // Without --out nothing is kept: say so, so that no one looks for a report that was never written.
    if (!outDir && !values.quiet) io.stderr(`${NO_OUT_NOTE}\n`);
    return EXIT[results.verdict];
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr(`${err.message}\n`);
      return EXIT.usage;
    }
    // A raw parseArgs error (a command that does not use parseCommandArgs) is still bad usage.
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`safety-gate: ${(err as Error).message}\nRun 'safety-gate --help' for usage.\n`);
      return EXIT.usage;
    }
    io.stderr(
      debug
        ? `safety-gate: internal error\n${(err as Error).stack ?? String(err)}\n`
        : `safety-gate: internal error: ${(err as Error).message} (run with --debug for details)\n`,
    );
    return EXIT.internal;
  }
}

/** `run --shard K/N`: this shard's slice answered and graded into DIR/partial.json; no verdict. */
async function shardCommand(values: Values, io: Io): Promise<number> {
  const text = values.shard as string;
  const shard = parseShard(text);
  if (!shard) throw new UsageError(`--shard expects ${SHARD_SYNTAX}, got "${text}"`);
  // Each of these changes which cases or which baseline a shard sees; the merge could not know.
  const conflicting = (
    ["record-baseline", "baseline", "limit", "filter", "compare-unchanged"] as const
  ).filter((f) => (typeof values[f] === "boolean" ? values[f] : values[f] !== undefined));
  if (conflicting.length)
    throw new UsageError(
      `--shard cannot be combined with ${conflicting.map((f) => `--${f}`).join(", ")}: every shard runs its slice of the gate the config describes, which the merge decides again (set the baseline, and compare: unchanged, in the config, where every shard and the merge read them)`,
    );
  if (values.out === undefined)
    throw new UsageError(
      "--shard needs --out DIR: the partial result is written there, for 'safety-gate merge'",
    );
  const outDir = resolve(values.out);
  const progress = createProgress(values.quiet ? "quiet" : (io.progress ?? "lines"), io.stderr);
  const lock = lockOutDir(outDir);
  if (lock.note) io.stderr(`${lock.note}\n`);
  let written: string;
  let partial: Awaited<ReturnType<typeof runShard>>["partial"];
  try {
    ({ partial } = await runShard({
      configPath: values.config ?? "safety-gate.yml",
      outDir,
      progress,
      branch: values.branch,
      fresh: values.fresh || undefined,
      shard,
      notice: (m) => io.stderr(`safety-gate: ${m}\n`),
    }));
    written = writePartial(partial, outDir);
  } finally {
    lock.release();
  }
  const errors = partial.candidate.cases.filter((c) => c.status === "error").length;
  io.stdout(
    `safety-gate: shard ${shard.index}/${shard.count} — partial result, no verdict: ${plural(partial.candidate.cases.length, "case")} of ${partial.total} answered and graded${errors ? ` (${errors} without a usable response)` : ""}\nwrote ${displayPath(written)}; merge all ${shard.count} shards with 'safety-gate merge PARTS... --out DIR'\n`,
  );
  return EXIT.pass;
}

/** `merge PARTS... --out DIR`: the shards' graded cases decided as one run. */
async function mergeCommand(parts: string[], values: Values, io: Io, color: boolean): Promise<number> {
  if (parts.length === 0)
    throw new UsageError("merge needs the shards' --out folders: safety-gate merge PARTS... --out DIR");
  const flags = (["shard", "record-baseline", "baseline", "limit", "filter"] as const).filter(
    (f) => values[f] !== undefined,
  );
  if (flags.length || values.fresh || values["compare-unchanged"])
    throw new UsageError(
      `merge takes the shards' answers as they are: --${flags[0] ?? (values.fresh ? "fresh" : "compare-unchanged")} belongs on 'run --shard'`,
    );
  if (values.out === undefined)
    throw new UsageError("merge needs --out DIR for results.json and the reports");
  const outDir = resolve(values.out);
  const lock = lockOutDir(outDir);
  if (lock.note) io.stderr(`${lock.note}\n`);
  let gated: Awaited<ReturnType<typeof mergeShards>>;
  let written: ReturnType<typeof writeReport>;
  try {
    gated = await mergeShards({
      configPath: values.config ?? "safety-gate.yml",
      branch: values.branch,
      parts: parts.map((p) => resolve(p)),
    });
    written = writeReport(gated.results, outDir, gated.report);
  } finally {
    lock.release();
  }
  const { results } = gated;
  if (values.branch !== undefined && !results.profile) io.stderr(`${noProfileWarning(values.branch)}\n`);
  if (values.quiet) io.stdout(`safety-gate: ${results.verdict.toUpperCase()}\n`);
  else {
    io.stdout(`${renderTerminal(results, color ? colorStyle : plainStyle)}\n`);
    io.stdout(
      `\nmerged ${parts.length} shards; wrote ${displayPath(written.resultsPath)}, report.md, report.html and junit.xml in ${displayPath(outDir)}\n`,
    );
  }
  return EXIT[results.verdict];
}

type Values = {
  config?: string;
  out?: string;
  branch?: string;
  quiet: boolean;
  shard?: string;
  "record-baseline"?: string;
  baseline?: string;
  limit?: string;
  filter?: string;
  fresh: boolean;
  "compare-unchanged": boolean;
};

/** The `run` flags beyond the config: the first baseline, another baseline, a smoke run, no reuse. */
function runOptionsOf(values: {
  "record-baseline"?: string;
  baseline?: string;
  limit?: string;
  filter?: string;
  fresh: boolean;
  "compare-unchanged": boolean;
}): Pick<RunOptions, "recordingBaseline" | "baselineFile" | "subset" | "fresh" | "compareUnchanged"> {
  const recording = values["record-baseline"] !== undefined;
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!/^\d+$/.test(values.limit) || limit < 1)
      throw new UsageError(`--limit expects a number of cases ≥ 1, got "${values.limit}"`);
  }
  const smoke = limit !== undefined || values.filter !== undefined;
  // A baseline on some of the cases, or recorded while comparing, would mislead every later run.
  if (recording && (smoke || values.baseline !== undefined || values["compare-unchanged"]))
    throw new UsageError(
      "--record-baseline runs every case of the candidate alone: it cannot be combined with --limit, --filter, --baseline or --compare-unchanged",
    );
  return {
    recordingBaseline: recording || undefined,
    baselineFile: values.baseline,
    subset: smoke ? { limit, filter: values.filter } : undefined,
    fresh: values.fresh || undefined,
    compareUnchanged: values["compare-unchanged"] || undefined,
  };
}

/** When the file at `path` was recorded, if it is a results file; "earlier" if it cannot tell. */
function previousBaseline(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const createdAt = (JSON.parse(readFileSync(path, "utf8")) as { createdAt?: unknown }).createdAt;
    return typeof createdAt === "string" ? `at ${createdAt}` : "earlier";
  } catch {
    return "earlier";
  }
}

/** Writes the candidate's results as the baseline of later runs (atomically), and says what it did. */
function recordBaseline(results: Results, file: string, configBaseline: TargetConfig | undefined): string {
  const path = resolve(file);
  // Re-recording is how a baseline moves on; saying so keeps it from happening unnoticed.
  const replaced = previousBaseline(path);
  writeStreamAtomic(path, (write) => {
    emitJson(results, write);
    write("\n");
  });
  const cases = results.builds.candidate.cases;
  const errors = cases.filter((c) => c.status === "error").length;
  const lines = [
    `safety-gate: recorded a baseline in ${displayPath(path)}: the candidate's answers to ${cases.length} cases${errors ? ` (${errors} without a usable response)` : ""}. No gate was judged (exit 0); the next run compares with it.`,
  ];
  if (replaced) lines.push(`note: this replaced the baseline recorded ${replaced}`);
  const configured = configBaseline?.results;
  if (configured !== undefined && resolve(configured) !== path)
    lines.push(
      `note: the config's baseline is ${displayPath(configured)}, not this file: point \`baseline: { results: … }\` at it, or pass --baseline ${displayPath(path)}`,
    );
  else if (configBaseline === undefined)
    lines.push(
      `note: the config has no baseline: add \`baseline: { results: ${displayPath(path)} }\` (paths are relative to the config file), or pass --baseline ${displayPath(path)}`,
    );
  return lines.join("\n");
}

/** True when this module is the program being run (directly or through an npm bin link). */
function isEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntry()) {
  // Ctrl-C or a CI cancel: exit (which writes out the journal's last batch, see
  // io/append-log.ts) and say how to pick up where the run stopped.
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.once(signal, () => {
      process.stderr.write(
        `\nsafety-gate: interrupted (${signal}); answers so far are in the out dir's journal: run the same command again to resume\n`,
      );
      process.exit(code);
    });
  }
  main(process.argv.slice(2), {
    stdout: pipeWriter(process.stdout, (err) =>
      process.stderr.write(`safety-gate: cannot write to stdout: ${err.message}\n`),
    ),
    stderr: pipeWriter(process.stderr),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    progress: process.env.GITHUB_ACTIONS === "true" ? "github" : process.stderr.isTTY ? "tty" : "lines",
  }).then((code) => {
    process.exitCode = code;
  });
}

/**
 * The GitHub Action: a thin adapter over the core and src/github.
 * - `mode: gate` (default) runs the gate; writes results, report.md, report.html and
 *   junit.xml; the job summary on every event; uploads the results artifact; posts the
 *   sticky comment, the check run and the commit status; and fails the step unless the
 *   verdict is pass or waived. A read-only token (fork pull request) skips the posts with
 *   a notice and still ends with the verdict.
 * - `mode: report` (a trusted `workflow_run` workflow) posts a fork's gate results.
 * Input problems become error annotations at the offending file and line.
 *
 * Importing this module does nothing: `run()` is the action (what `@github/local-action`
 * and tests call); src/action-main.ts is the entry the runner starts (dist/action.js).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import * as core from "@actions/core";
import { loadConfig } from "./config/load.js";
import { mergeShards, runGate, runShard } from "./core.js";
import type { Verdict } from "./gate/waivers.js";
import { uploadArtifact } from "./github/artifact.js";
import { findBaseBranchResults } from "./github/baseline.js";
import { createClient, type GitHubClient } from "./github/client.js";
import { type GitHubContext, readContext, runUrl, str } from "./github/context.js";
import {
  ERROR_FILE,
  type ErrorReport,
  errorMarkdown,
  errorReportOf,
  publishError,
} from "./github/error-report.js";
import { type HistoryOptions, recordHistory, trendForComment } from "./github/history-action.js";
import { DEFAULT_HISTORY_BRANCH } from "./github/history-branch.js";
import { baseCommitOf, basePolicy } from "./github/policy.js";
import {
  checkRunLine,
  DEFAULT_CHECK_NAME,
  DEFAULT_STATUS_CONTEXT,
  fittedMarkdown,
  type Published,
  type PublishOptions,
  type PublishTarget,
  publish,
} from "./github/publish.js";
import { referenceFetcher } from "./github/reference.js";
import { repoPathOf } from "./github/repo-files.js";
import { decideAgain, PULL_REQUEST_FILE, readGateArtifact } from "./github/report-mode.js";
import { artifactName, type InconclusiveAs } from "./github/verdict.js";
import { WriteAccess } from "./github/write-access.js";
import { serializeHistory } from "./history/record.js";
import { writeFileAtomic } from "./io/atomic.js";
import { InputError } from "./io/diagnostic.js";
import { displayPath } from "./io/display.js";
import { parseJson } from "./io/source.js";
import { readText } from "./io/text.js";
import { type ReportOptions, reportOptionsFrom } from "./report/markdown.js";
import { PARTIAL_FILE, writePartial } from "./report/partial.js";
import { readResults } from "./report/results-read.js";
import type { Results } from "./report/results-schema.js";
import { renderTerminal } from "./report/terminal.js";
import { writeReport } from "./report/write.js";
import { createProgress } from "./runner/progress.js";
import { parseShard, SHARD_SYNTAX, type Shard } from "./suite/shard.js";

/** GitHub's limit on one step's job summary. */
const SUMMARY_LIMIT = 1024 * 1024;

interface Inputs {
  config: string;
  out: string;
  token: string;
  comment: boolean;
  commentAuthor?: string;
  checkName: string;
  statusContext: string;
  mode: "gate" | "report" | "history";
  results: string;
  inconclusive: InconclusiveAs;
  /** `shard: K/N`: answer and grade one slice into out/partial.json; decide and post nothing. */
  shard?: Shard;
  /** `merge: DIR`: the shards' downloaded artifacts (each a folder with partial.json), decided and posted once. */
  merge?: string;
  history: HistoryOptions;
}

function choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const v = core.getInput(name) || fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new InputError({
    file: "action inputs",
    keyPath: name,
    message: `expected one of ${allowed.map((a) => `"${a}"`).join(", ")}, got "${v}"`,
  });
}

function readInputs(): Inputs {
  const token = core.getInput("github-token");
  if (token) core.setSecret(token);
  const comment = (core.getInput("comment") || "true").toLowerCase();
  if (!["true", "false"].includes(comment)) {
    throw new InputError({
      file: "action inputs",
      keyPath: "comment",
      message: `expected true or false, got "${comment}"`,
    });
  }
  return {
    config: core.getInput("config") || "safety-gate.yml",
    out: core.getInput("out") || join(process.env.RUNNER_TEMP ?? ".", "safety-gate"),
    token,
    comment: comment === "true",
    commentAuthor: core.getInput("comment-author") || undefined,
    checkName: core.getInput("check-name") || DEFAULT_CHECK_NAME,
    statusContext: core.getInput("status-context") || DEFAULT_STATUS_CONTEXT,
    mode: choice("mode", ["gate", "report", "history"], "gate"),
    results: core.getInput("results") || "safety-gate-results",
    inconclusive: choice("inconclusive", ["failure", "neutral"], "failure"),
    ...shardInputs(),
    history: historyInputs(),
  };
}

/** `shard` and `merge`: the two steps of a sharded gate (at most one of them, and only in gate mode). */
function shardInputs(): Pick<Inputs, "shard" | "merge"> {
  const text = core.getInput("shard");
  const merge = core.getInput("merge") || undefined;
  const problem = (keyPath: string, message: string) =>
    new InputError({ file: "action inputs", keyPath, message });
  const shard = text ? parseShard(text) : undefined;
  if (text && !shard) throw problem("shard", `expected ${SHARD_SYNTAX}, got "${text}"`);
  if (shard && merge !== undefined)
    throw problem(
      "merge",
      "a step either runs a shard (`shard: K/N`) or merges the shards (`merge: DIR`), not both",
    );
  if ((shard || merge !== undefined) && (core.getInput("mode") || "gate") !== "gate")
    throw problem(shard ? "shard" : "merge", "shards and their merge run in mode: gate");
  return { shard, merge };
}

function historyInputs(): HistoryOptions {
  const history = choice("history", ["true", "read", "false"], "true");
  return {
    write: history === "true",
    read: history !== "false",
    branch: core.getInput("history-branch") || DEFAULT_HISTORY_BRANCH,
    file: core.getInput("history-file") || undefined,
    trendUrl: core.getInput("trend-url") || undefined,
  };
}

const historyLog = { info: core.info, warning: core.warning };

interface GitHubSide {
  ctx?: GitHubContext;
  gh?: GitHubClient;
}

function githubSide(inputs: Inputs): GitHubSide {
  if (!process.env.GITHUB_REPOSITORY) return {};
  const ctx = readContext();
  if (!inputs.token) {
    core.notice("safety-gate: no github-token, so no comment, check run or status is posted");
    return { ctx };
  }
  const gh = createClient({
    token: inputs.token,
    apiUrl: ctx.apiUrl,
    // Octokit logs every failed request as an error; refused and failed writes are reported
    // once, with their meaning, by WriteAccess, so the raw lines go to the debug log. Only
    // the message is passed on: Octokit's further arguments hold the request, token included.
    log: {
      debug: (m) => core.debug(m),
      info: (m) => core.debug(m),
      warn: core.warning,
      error: (m) => core.debug(m),
    },
  });
  return { ctx, gh };
}

function fullReportHint(ctx: GitHubContext | undefined, artifact: string): string {
  const url = ctx && runUrl(ctx);
  return url
    ? `The full report (report.md, report.html, junit.xml, results.json) is in the artifact ${artifact} of [this workflow run](${url}).`
    : `The full report is report.md in the out directory.`;
}

async function writeSummary(r: Results, report: ReportOptions, hint: string): Promise<void> {
  const md = fittedMarkdown(
    r,
    report,
    { max: SUMMARY_LIMIT, unit: "bytes", name: "GitHub's job summary limit" },
    hint,
  );
  await writeSummaryText(md);
}

/** Outside a runner (no GITHUB_STEP_SUMMARY) there is no job summary: skipped with a notice, like the artifact. */
async function writeSummaryText(md: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info("job summary skipped: not on a GitHub Actions runner (no GITHUB_STEP_SUMMARY)");
    return;
  }
  await core.summary.addRaw(md, true).write();
}

function publishOptions(inputs: Inputs): PublishOptions {
  return {
    comment: inputs.comment,
    commentAuthor: inputs.commentAuthor,
    checkName: inputs.checkName,
    statusContext: inputs.statusContext,
    inconclusive: inputs.inconclusive,
  };
}

/** Posts comment, check run and status; never throws for a refused or failed write. */
async function post(
  gh: GitHubClient,
  inputs: Inputs,
  results: Results,
  report: ReportOptions,
  target: PublishTarget,
): Promise<WriteAccess> {
  const access = new WriteAccess({ warning: core.warning, notice: core.notice });
  const published = await publish(gh, access, results, report, target, publishOptions(inputs));
  logPublished(published, access);
  return access;
}

function logPublished(p: Published, access: WriteAccess): void {
  if (p.commentUrl) core.info(`comment ${p.commentAction}: ${p.commentUrl}`);
  if (p.checkUrl) core.info(checkRunLine(p));
  if (p.status) core.info("commit status posted");
  if (access.refused.length) core.info(`not posted (token may not write): ${access.refused.join(", ")}`);
  core.setOutput("comment-url", p.commentUrl ?? "");
}

function finish(verdict: Verdict): void {
  core.setOutput("verdict", verdict);
  if (verdict === "waived")
    core.warning("safety-gate verdict: waived — a failing gate is accepted by a waiver");
  else if (verdict !== "pass") core.setFailed(`safety-gate verdict: ${verdict}`);
}

async function gateMode(inputs: Inputs, { ctx, gh }: GitHubSide): Promise<void> {
  const artifact = artifactName(displayPath(inputs.config));
  // On a pull request the gate policy is the base branch's: the pull request cannot relax its own gate.
  const base = ctx && baseCommitOf(ctx);
  const policy = ctx && gh && base ? await basePolicy(gh, ctx, inputs.config, base, process.env) : undefined;
  // The reference is the trusted policy's: on a pull request its `results:` file is read at the base commit.
  const fetchReference =
    ctx && gh
      ? referenceFetcher({
          gh,
          ctx,
          artifact,
          token: inputs.token,
          configPath: repoPathOf(ctx.workspace, inputs.config) ?? inputs.config,
          ...(base && policy?.policy ? { base } : {}),
        })
      : undefined;
  const { results, report } = inputs.merge
    ? await mergeShards({
        policy,
        configPath: inputs.config,
        branch: ctx?.branch,
        registerSecret: (value) => core.setSecret(value),
        parts: partFolders(inputs.merge),
        fetchReference,
      })
    : await runGate({
        policy,
        configPath: inputs.config,
        outDir: inputs.out,
        progress: createProgress("github", (line) => process.stdout.write(line)),
        registerSecret: (value) => core.setSecret(value),
        branch: ctx?.branch,
        fetchBaseline: ctx && gh ? () => findBaseBranchResults(gh, ctx, artifact, inputs.token) : undefined,
        fetchReference,
      });
  const written = writeReport(results, inputs.out, report);
  const files = [written.resultsPath, written.reportPath, written.htmlPath, written.junitPath];
  if (ctx?.pullNumber !== undefined) files.push(writePullRequestFile(inputs.out, ctx));
  core.info(renderTerminal(results));
  core.setOutput("results-path", written.resultsPath);
  core.setOutput("report-path", written.reportPath);
  core.setOutput("html-path", written.htmlPath);
  core.setOutput("junit-path", written.junitPath);
  const hint = fullReportHint(ctx, artifact);
  await writeSummary(results, report, hint);
  try {
    const up = await uploadArtifact(artifact, files, inputs.out);
    core.info("skipped" in up ? `artifact upload skipped: ${up.skipped}` : `uploaded artifact ${artifact}`);
  } catch (err) {
    core.warning(`safety-gate: uploading the results artifact failed: ${(err as Error).message}`);
  }
  if (ctx && gh && ctx.sha) {
    await post(gh, inputs, results, report, {
      owner: ctx.owner,
      repo: ctx.repo,
      sha: ctx.sha,
      pullNumber: ctx.pullNumber,
      detailsUrl: runUrl(ctx),
      fullReport: hint,
      trend:
        ctx.pullNumber !== undefined
          ? await trendForComment(gh, ctx, inputs.history, results, historyLog)
          : undefined,
    });
    await recordHistory(gh, ctx, inputs.history, results, historyLog);
  } else {
    core.setOutput("comment-url", "");
  }
  finish(results.verdict);
}

/**
 * `shard: K/N`: one slice answered and graded into out/partial.json, for the workflow to
 * upload. No verdict, so nothing is posted — the merge job posts the comment, check run and
 * status once, for all the cases.
 */
async function shardMode(inputs: Inputs & { shard: Shard }, { ctx, gh }: GitHubSide): Promise<void> {
  const artifact = artifactName(displayPath(inputs.config));
  // The same policy as the merge decides with: what a shard checks before asking (a config
  // that gates nothing) must agree with the unsharded gate.
  const base = ctx && baseCommitOf(ctx);
  const policy = ctx && gh && base ? await basePolicy(gh, ctx, inputs.config, base) : undefined;
  const { partial } = await runShard({
    policy,
    configPath: inputs.config,
    outDir: inputs.out,
    progress: createProgress("github", (line) => process.stdout.write(line)),
    registerSecret: (value) => core.setSecret(value),
    branch: ctx?.branch,
    fetchBaseline: ctx && gh ? () => findBaseBranchResults(gh, ctx, artifact, inputs.token) : undefined,
    shard: inputs.shard,
  });
  const path = writePartial(partial, inputs.out);
  core.info(partial.note);
  core.setOutput("partial-path", path);
  core.setOutput("verdict", "partial");
  await writeSummaryText(
    `### safety-gate: shard ${inputs.shard.index}/${inputs.shard.count}\n\n${partial.note}\n`,
  );
}

/** The shards' folders in a `merge:` directory: each downloaded artifact is a folder with partial.json. */
function partFolders(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new InputError({
      file: "action inputs",
      keyPath: "merge",
      message: `"${dir}" is not a directory: download the shards' artifacts into one (actions/download-artifact with a pattern) and give its path`,
    });
  if (existsSync(join(dir, PARTIAL_FILE))) return [dir];
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, PARTIAL_FILE)))
    .map((e) => join(dir, e.name))
    .sort();
  if (folders.length === 0)
    throw new InputError({
      file: "action inputs",
      keyPath: "merge",
      message: `no shard's ${PARTIAL_FILE} in "${dir}" or its folders: upload each shard's out folder as an artifact and download them all here`,
    });
  return folders;
}

/** Report settings come from the trusted checkout's config; the artifact cannot turn redaction off. */
function trustedReportOptions(config: string): ReportOptions {
  return reportOptionsFrom(existsSync(config) ? loadConfig(config).config.report : undefined);
}

async function reportMode(inputs: Inputs, { ctx, gh }: GitHubSide): Promise<void> {
  if (!ctx || !gh) {
    throw new InputError({
      file: "action inputs",
      keyPath: "mode",
      message: "mode: report needs GITHUB_REPOSITORY and a github-token",
    });
  }
  const artifact = await readGateArtifact(gh, ctx, inputs.results);
  if ("skipped" in artifact) {
    core.notice(`safety-gate: ${artifact.skipped}`);
    core.setOutput("verdict", "skipped");
    core.setOutput("comment-url", "");
    return;
  }
  const { pullNumber, sha, error } = artifact;
  // Its graded cases decided again with the base branch's policy: the artifact's decisions are never believed.
  const results = artifact.results
    ? await decideAgain(gh, ctx, { ...artifact, results: artifact.results }, inputs.config, new Date(), {
        artifact: artifactName(displayPath(inputs.config)),
        token: inputs.token,
      })
    : undefined;
  const url = str(ctx.event, "workflow_run", "html_url");
  const hint = url
    ? `The full report is in the artifacts of [the gate run](${url}).`
    : "The full report is in the gate run's artifacts.";
  const target = {
    owner: ctx.owner,
    repo: ctx.repo,
    sha,
    pullNumber,
    detailsUrl: url,
    fullReport: hint,
    trend: results ? await trendForComment(gh, ctx, inputs.history, results, historyLog) : undefined,
  };
  let access: WriteAccess;
  if (results) {
    const report = trustedReportOptions(inputs.config);
    await writeSummary(results, report, hint);
    access = await post(gh, inputs, results, report, target);
  } else {
    // The gate run ended in an error: its error report is posted as a failure.
    const report = error as ErrorReport;
    await writeSummaryText(errorMarkdown(report, hint));
    access = new WriteAccess({ warning: core.warning, notice: core.notice });
    logPublished(await publishError(gh, access, report, target, publishOptions(inputs)), access);
  }
  core.setOutput("verdict", results?.verdict ?? "error");
  // This workflow's job is to post; the verdict itself is on the check and the status.
  if (access.readOnly || access.failures.length) {
    core.setFailed(
      `safety-gate: could not post the report: ${[...access.failures, ...access.refused.map((w) => `${w}: refused`)].join("; ")}`,
    );
  }
}

/**
 * `mode: history` (a job on push with `contents: write`, after the gate job): appends the
 * gate's results (the downloaded artifact, input `results`) to the history branch, and
 * writes the whole history to OUT/history.jsonl for `safety-gate trend`. The gate job
 * itself then needs no write permission (it runs on pull requests too).
 */
async function historyMode(inputs: Inputs, { ctx, gh }: GitHubSide): Promise<void> {
  if (!ctx || !gh) {
    throw new InputError({
      file: "action inputs",
      keyPath: "mode",
      message: "mode: history needs GITHUB_REPOSITORY and a github-token",
    });
  }
  const file =
    existsSync(inputs.results) && statSync(inputs.results).isDirectory()
      ? join(inputs.results, "results.json")
      : inputs.results;
  const doc = parseJson(readText(file, "results file"), displayPath(file));
  const results = readResults(doc.data, doc).results;
  const { records, failed } = await recordHistory(
    gh,
    ctx,
    { ...inputs.history, write: true },
    results,
    historyLog,
  );
  const path = join(inputs.out, "history.jsonl");
  if (records) writeFileAtomic(path, serializeHistory(records));
  core.setOutput("history-path", records ? path : "");
  core.setOutput("verdict", results.verdict);
  if (failed) core.setFailed(failed);
}

/**
 * Verdict `error`: annotated at each problem's file and line, and — in gate mode — still
 * published (job summary, error.json in the results artifact, failing check run and
 * status, the comment), so a required status never waits forever and a fork's report job
 * finds an artifact. Each step is tried on its own: one failing does not stop the others.
 */
async function gateError(err: unknown, inputs: Inputs, { ctx, gh }: GitHubSide): Promise<void> {
  const report = errorReportOf(err, displayPath(inputs.config));
  const artifact = artifactName(displayPath(inputs.config));
  const hint = fullReportHint(ctx, artifact);
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      core.warning(`safety-gate: ${what} failed after the error: ${(e as Error).message}`);
    }
  };
  await attempt("writing the job summary", () => writeSummaryText(errorMarkdown(report, hint)));
  await attempt("uploading the error report", async () => {
    const files = [join(inputs.out, ERROR_FILE)];
    writeFileAtomic(files[0] as string, `${JSON.stringify(report, null, 2)}\n`);
    if (ctx?.pullNumber !== undefined) files.push(writePullRequestFile(inputs.out, ctx));
    // Whatever the run wrote before it stopped goes too.
    for (const f of ["results.json", "report.md", "report.html", "junit.xml"]) {
      if (existsSync(join(inputs.out, f))) files.push(join(inputs.out, f));
    }
    const up = await uploadArtifact(artifact, files, inputs.out);
    core.info("skipped" in up ? `artifact upload skipped: ${up.skipped}` : `uploaded artifact ${artifact}`);
  });
  if (ctx && gh && ctx.sha) {
    await attempt("posting the error", async () => {
      const access = new WriteAccess({ warning: core.warning, notice: core.notice });
      const published = await publishError(
        gh,
        access,
        report,
        {
          owner: ctx.owner,
          repo: ctx.repo,
          sha: ctx.sha,
          pullNumber: ctx.pullNumber,
          detailsUrl: runUrl(ctx),
          fullReport: hint,
        },
        publishOptions(inputs),
      );
      logPublished(published, access);
    });
  }
}

function writePullRequestFile(out: string, ctx: GitHubContext): string {
  const prFile = join(out, PULL_REQUEST_FILE);
  writeFileAtomic(prFile, `${JSON.stringify({ number: ctx.pullNumber, headSha: ctx.sha })}\n`);
  return prFile;
}

function annotateError(err: unknown): void {
  if (err instanceof InputError) {
    for (const p of err.problems) {
      const where = p.position
        ? { file: p.file, startLine: p.position.line, startColumn: p.position.column }
        : { file: p.file };
      core.error(p.keyPath ? `${p.keyPath}: ${p.message}` : p.message, {
        title: "safety-gate: invalid input",
        ...where,
      });
    }
    core.setFailed(`safety-gate: invalid input\n${err.message}`);
    return;
  }
  core.setFailed(`safety-gate: internal error: ${(err as Error).message}`);
  if (core.isDebug()) core.debug((err as Error).stack ?? String(err));
}

export async function run(): Promise<void> {
  let inputs: Inputs | undefined;
  let side: GitHubSide = {};
  try {
    inputs = readInputs();
    side = githubSide(inputs);
    if (inputs.mode === "report") await reportMode(inputs, side);
    else if (inputs.mode === "history") await historyMode(inputs, side);
    else if (inputs.shard) await shardMode({ ...inputs, shard: inputs.shard }, side);
    else await gateMode(inputs, side);
  } catch (err) {
    annotateError(err);
    core.setOutput("verdict", "error");
    // A report workflow's own failure (e.g. the pull request moved on) must post nothing; nor a
    // history job's, nor a shard's: the merge job finds it missing and posts that, once.
    if (
      inputs?.mode !== "report" &&
      inputs?.mode !== "history" &&
      !inputs?.shard &&
      !core.getInput("shard")
    ) {
      const fallback = inputs ?? lenientInputs();
      if (fallback) await gateError(err, fallback, inputs ? side : safeSide(fallback));
    }
  }
}

/** The inputs when one of them was invalid: the others as given, so the error can still be posted. */
function lenientInputs(): Inputs | undefined {
  try {
    const token = core.getInput("github-token");
    return {
      config: core.getInput("config") || "safety-gate.yml",
      out: core.getInput("out") || join(process.env.RUNNER_TEMP ?? ".", "safety-gate"),
      token,
      comment: (core.getInput("comment") || "true").toLowerCase() !== "false",
      commentAuthor: core.getInput("comment-author") || undefined,
      checkName: core.getInput("check-name") || DEFAULT_CHECK_NAME,
      statusContext: core.getInput("status-context") || DEFAULT_STATUS_CONTEXT,
      mode: "gate",
      results: "",
      inconclusive: "failure",
      history: { write: false, read: false, branch: DEFAULT_HISTORY_BRANCH },
    };
  } catch {
    return undefined;
  }
}

function safeSide(inputs: Inputs): GitHubSide {
  try {
    return githubSide(inputs);
  } catch {
    return {};
  }
}

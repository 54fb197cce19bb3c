/**
 * `safety-gate evidence --results FILE --out DIR [--config FILE]`: the evidence package.
 * `safety-gate evidence verify DIR`: check one. Exit codes of verify: 0 verified, 1 a file
 * changed or a recorded number, decision or verdict that does not follow from the package,
 * 2 not readable as a package. The commit and run URL are read from GitHub's environment
 * here, in the adapter, and passed to the package as plain data.
 */
import { resolve } from "node:path";
import { type RunContext, writeEvidence } from "../evidence/package.js";
import { verifyEvidence } from "../evidence/verify.js";
import { displayPath } from "../io/display.js";
import { parseJson } from "../io/source.js";
import { readText } from "../io/text.js";
import { readResults } from "../report/results-read.js";
import { type Io, parseCommandArgs, UsageError } from "./common.js";

export const EVIDENCE_HELP = `Usage:
  safety-gate evidence --results FILE --out DIR [--config FILE]
  safety-gate evidence verify DIR

evidence gathers, in a new directory, what a release review needs: SUMMARY.md (verdict,
taxonomy coverage and gaps, residual risks), results.json, the config and suite lock, the
suites, graders.json, responses/, provenance.json, model-card.md with model-index.yml,
and MANIFEST.json with every file's sha256. The config and suites must be the ones the
run used (their hashes are checked against results.json).

evidence verify recomputes every hash and decides the packaged graded cases again with
the packaged config, naming each file, count, decision or verdict that does not follow.

Options:
      --results FILE  the run's results.json
  -o, --out DIR       a new directory for the package
  -c, --config FILE   the config the run used (default: the path results.json records)

Exit codes: 0 written / verified, 1 not verified (changed, or does not follow),
2 usage or unreadable input.`;

/** GitHub Actions' commit and run URL, when run there. */
export function runContextFromEnv(env: NodeJS.ProcessEnv): RunContext {
  const { GITHUB_SHA, GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT } = env;
  return {
    commit: GITHUB_SHA || undefined,
    runUrl:
      GITHUB_SERVER_URL && GITHUB_REPOSITORY && GITHUB_RUN_ID
        ? `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}${GITHUB_RUN_ATTEMPT ? `/attempts/${GITHUB_RUN_ATTEMPT}` : ""}`
        : undefined,
  };
}

export async function evidenceCommand(argv: string[], io: Io): Promise<number> {
  if (argv[0] === "verify") return verifyCommand(argv.slice(1), io);
  const { values, positionals } = parseCommandArgs("evidence", {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      results: { type: "string" },
      out: { type: "string", short: "o" },
      config: { type: "string", short: "c" },
      help: { type: "boolean", short: "h", default: false },
      debug: { type: "boolean", default: false },
      "no-color": { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.stdout(`${EVIDENCE_HELP}\n`);
    return 0;
  }
  if (positionals.length)
    throw new UsageError(`unexpected argument "${positionals[0]}"; did you mean 'evidence verify DIR'?`);
  if (!values.results) throw new UsageError("evidence needs --results FILE (a run's results.json)");
  if (!values.out) throw new UsageError("evidence needs --out DIR (a new directory for the package)");
  const source = parseJson(readText(values.results, "results file"), values.results);
  const { results } = readResults(source.data, source);
  const out = writeEvidence({
    results,
    resultsPath: values.results,
    configPath: values.config,
    outDir: resolve(values.out),
    context: runContextFromEnv(process.env),
    now: new Date(),
  });
  io.stdout(
    `wrote the evidence package ${displayPath(resolve(values.out))}: ${out.files.length} files, verdict ${results.verdict}; MANIFEST.json has their sha256\n`,
  );
  return 0;
}

async function verifyCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs("evidence verify", {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: "boolean", short: "h", default: false },
      debug: { type: "boolean", default: false },
      "no-color": { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.stdout(`${EVIDENCE_HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("evidence verify needs one DIR (an evidence package)");
  const dir = positionals[0] as string;
  const v = verifyEvidence(dir);
  for (const f of v.files) io.stdout(`tampered: ${f}\n`);
  for (const m of v.mismatches) io.stdout(`does not follow: ${m}\n`);
  if (v.files.length || v.mismatches.length) {
    io.stdout(
      `${displayPath(resolve(dir))}: NOT VERIFIED — ${v.files.length} file${v.files.length === 1 ? "" : "s"} not as MANIFEST.json says, ${v.mismatches.length} recorded result${v.mismatches.length === 1 ? "" : "s"} that the package does not give\n`,
    );
    return 1;
  }
  io.stdout(
    `${displayPath(resolve(dir))}: verified — ${v.checkedFiles} files match MANIFEST.json; decided again from the packaged cases and config, the verdict is ${v.rederived}, as recorded\n`,
  );
  return 0;
}

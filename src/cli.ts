#!/usr/bin/env node
/**
 * `safety-gate` command line: a thin adapter over the core. Exit codes are a contract
 * with CI scripts: 0 pass, 1 fail, 2 usage/config/input error, 3 inconclusive,
 * 4 internal error (a bug: please report it with --debug output).
 */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { loadConfig } from "./config/load.js";
import { runGate } from "./core.js";
import type { Outcome } from "./gate/decide.js";
import {
  CALIBRATABLE_NAMES,
  calibratableGrader,
  calibrate,
  calibrationJson,
  readLabels,
  renderCalibration,
} from "./graders/calibrate.js";
import { InputError } from "./io/diagnostic.js";
import { displayPath } from "./io/display.js";
import { colorStyle, plainStyle, renderTerminal } from "./report/terminal.js";
import { writeReport } from "./report/write.js";
import { loadSuites } from "./suite/load.js";
import { VERSION } from "./version.js";

export const EXIT: Record<Outcome | "usage" | "internal", number> = {
  pass: 0,
  fail: 1,
  usage: 2,
  inconclusive: 3,
  internal: 4,
};

const HELP = `safety-gate ${VERSION} — gate a model build on paired safety metrics

Usage:
  safety-gate run [--config FILE] [--out DIR] [--quiet] [--debug]
  safety-gate validate [--config FILE]
  safety-gate calibrate --grader NAME --labels FILE.jsonl [--json]
  safety-gate --version | --help

Commands:
  run        grade both builds, compare them and print the verdict;
             with --out, write DIR/results.json and DIR/report.md
  validate   check the config and its suites without grading anything
  calibrate  measure a grader against human labels: accuracy, precision,
             recall, F1, Cohen's κ and the confusion matrix (graders: refusal)

Options:
  -c, --config FILE   gate config (default: safety-gate.yml)
  -o, --out DIR       where results.json and report.md are written
  -q, --quiet         print only the verdict line
      --no-color      plain output (also: NO_COLOR=1)
      --debug         print stack traces for internal errors
      --grader NAME   calibrate: the grader to measure
      --labels FILE   calibrate: JSONL of {"response", "label", "prompt"?, "group"?}
      --json          calibrate: print one JSON object instead of the table

Exit codes: 0 pass, 1 fail, 2 usage/config/input error, 3 inconclusive, 4 internal error.`;

class UsageError extends Error {}

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  color: boolean;
}

export async function main(argv: string[], io: Io): Promise<number> {
  let debug = argv.includes("--debug");
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: "string", short: "c", default: "safety-gate.yml" },
        out: { type: "string", short: "o" },
        quiet: { type: "boolean", short: "q", default: false },
        "no-color": { type: "boolean", default: false },
        debug: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", short: "v", default: false },
        grader: { type: "string" },
        labels: { type: "string" },
        json: { type: "boolean", default: false },
      },
    });
    debug = values.debug;
    if (values.version) {
      io.stdout(`${VERSION}\n`);
      return EXIT.pass;
    }
    const command = positionals[0];
    if (values.help || command === undefined || command === "help") {
      io.stdout(`${HELP}\n`);
      return command === undefined && !values.help ? EXIT.usage : EXIT.pass;
    }
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    const color = io.color && !values["no-color"];

    if (command === "validate") {
      const loaded = loadConfig(values.config);
      const suites = loadSuites(loaded.suites);
      io.stdout(
        `${displayPath(values.config)}: ok — ${suites.reduce((n, s) => n + s.cases.length, 0)} cases in ${suites.length} suite${suites.length === 1 ? "" : "s"}\n`,
      );
      return EXIT.pass;
    }
    if (command === "calibrate") {
      if (values.labels === undefined) throw new UsageError("calibrate needs --labels FILE.jsonl");
      const name = values.grader ?? "refusal";
      const grader = calibratableGrader(name);
      if (!grader)
        throw new UsageError(
          `unknown grader "${name}" for calibrate; expected ${CALIBRATABLE_NAMES.join(", ")}`,
        );
      const report = calibrate(grader, readLabels(values.labels), values.labels);
      io.stdout(
        values.json ? `${JSON.stringify(calibrationJson(report))}\n` : `${renderCalibration(report)}\n`,
      );
      return EXIT.pass;
    }
    if (command !== "run")
      throw new UsageError(`unknown command "${command}"; expected run, validate or calibrate`);

    const { results, report } = await runGate({ configPath: values.config });
    const written = values.out ? writeReport(results, resolve(values.out), report) : undefined;
    if (values.quiet) io.stdout(`safety-gate: ${results.verdict.toUpperCase()}\n`);
    else io.stdout(`${renderTerminal(results, color ? colorStyle : plainStyle)}\n`);
    if (written && !values.quiet) {
      io.stdout(`\nwrote ${displayPath(written.resultsPath)} and ${displayPath(written.reportPath)}\n`);
    }
    return EXIT[results.verdict];
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr(`${err.message}\n`);
      return EXIT.usage;
    }
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
  main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  }).then((code) => {
    process.exitCode = code;
  });
}

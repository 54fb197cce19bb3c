/**
 * The GitHub Action: a thin adapter over the core. It reads the `config` and `out`
 * inputs, runs the gate, writes the report to the job summary, sets the outputs and
 * fails the step unless the verdict is pass. Input problems become error annotations
 * at the offending file and line. (PR comments, check runs and statuses come later.)
 */
import { join } from "node:path";
import * as core from "@actions/core";
import { runGate } from "./core.js";
import { InputError } from "./io/diagnostic.js";
import { renderTerminal } from "./report/terminal.js";
import { writeReport } from "./report/write.js";
import { createProgress } from "./runner/progress.js";

export async function runAction(): Promise<void> {
  const configPath = core.getInput("config") || "safety-gate.yml";
  const outDir = core.getInput("out") || join(process.env.RUNNER_TEMP ?? ".", "safety-gate");
  try {
    const { results, report } = await runGate({
      configPath,
      outDir,
      progress: createProgress("github", (line) => process.stdout.write(line)),
      registerSecret: (value) => core.setSecret(value),
    });
    const written = writeReport(results, outDir, report);
    core.info(renderTerminal(results));
    await core.summary.addRaw(written.markdown, true).write();
    core.setOutput("verdict", results.verdict);
    core.setOutput("results-path", written.resultsPath);
    core.setOutput("report-path", written.reportPath);
    if (results.verdict !== "pass") core.setFailed(`safety-gate verdict: ${results.verdict}`);
  } catch (err) {
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
      core.setOutput("verdict", "error");
      core.setFailed(`safety-gate: invalid input\n${err.message}`);
      return;
    }
    core.setOutput("verdict", "error");
    core.setFailed(`safety-gate: internal error: ${(err as Error).message}`);
    if (core.isDebug()) core.debug((err as Error).stack ?? String(err));
  }
}

runAction();

/**
 * `safety-gate init`: from an empty repository to a config that validates, with the
 * workflows that gate pull requests. Asks on a terminal, takes flags anywhere (and asks
 * nothing with --yes or without a terminal, so that CI and scripts never hang on a prompt).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { writeFileAtomic } from "../io/atomic.js";
import { displayPath } from "../io/display.js";
import { closest } from "../io/spelling.js";
import { type Io, parseCommandArgs, UsageError } from "./common.js";
import {
  CONFIG_FILE,
  DEFAULTS,
  GITIGNORE_ENTRIES,
  type InitAnswers,
  nextSteps,
  OWN_SUITE,
  OWN_SUITE_TEXT,
  renderConfig,
  renderGateWorkflow,
  renderReportWorkflow,
  TARGET_KINDS,
  type TargetKind,
} from "./init-templates.js";

export const INIT_HELP = `Usage: safety-gate init [--target openai|http|command|replay] [options]

Writes, in the current folder (or --dir):
  ${CONFIG_FILE}                          the gate config, commented, for the chosen target
  ${OWN_SUITE}                 a template for your own cases, beside the built-in suites
  .github/workflows/safety-gate.yml        the gate, on pull requests and pushes to main
  .github/workflows/safety-gate-report.yml posts the comment, check run and status
  .gitignore                               adds ${GITIGNORE_ENTRIES.join(" and ")}
On a terminal it asks for what the flags do not say; with --yes, or when stdin is not a
terminal, it asks nothing and takes the defaults. It never overwrites a file without --force.

Options:
      --target KIND       openai (default: any OpenAI-compatible server), http (any JSON
                          API), command (a program in the repository) or replay (recorded
                          responses)
      --url URL           openai: the API base URL (default ${DEFAULTS.openai.url});
                          http: the endpoint (default ${DEFAULTS.http.url})
      --model NAME        openai: the model name (default ${DEFAULTS.openai.model})
      --api-key-env NAME  openai: the variable that holds the API key (default
                          ${DEFAULTS.openai.apiKeyEnv}); "" for a server without keys
  -y, --yes               ask nothing; take the defaults for what the flags do not say
  -f, --force             overwrite files that exist
  -d, --dir DIR           where to write (default: the current folder)`;

/** A terminal to ask on: the streams are injectable so that the question flow can be tested. */
export interface Prompter {
  input: Readable & { isTTY?: boolean };
  output: Writable;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function initCommand(
  argv: string[],
  io: Io,
  prompter: Prompter = { input: process.stdin, output: process.stderr },
): Promise<number> {
  const { values, positionals } = parseCommandArgs("init", {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      target: { type: "string" },
      url: { type: "string" },
      model: { type: "string" },
      "api-key-env": { type: "string" },
      yes: { type: "boolean", short: "y", default: false },
      force: { type: "boolean", short: "f", default: false },
      dir: { type: "string", short: "d" },
      help: { type: "boolean", short: "h", default: false },
      debug: { type: "boolean", default: false },
      "no-color": { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.stdout(`${INIT_HELP}\n`);
    return 0;
  }
  if (positionals.length > 0)
    throw new UsageError(`init takes no arguments, got '${positionals[0]}'; use --dir DIR for the folder`);
  const given: Partial<InitAnswers> = {
    target: values.target === undefined ? undefined : targetKind(values.target),
    url: values.url,
    model: values.model,
    apiKeyEnv: values["api-key-env"],
  };
  const interactive = !values.yes && prompter.input.isTTY === true;
  const answers = checkAnswers(interactive ? await askAnswers(given, prompter) : withDefaults(given));

  const dir = resolve(values.dir ?? ".");
  const files: [string, string][] = [
    [CONFIG_FILE, renderConfig(answers)],
    [OWN_SUITE, OWN_SUITE_TEXT],
    [".github/workflows/safety-gate.yml", renderGateWorkflow(answers)],
    [".github/workflows/safety-gate-report.yml", renderReportWorkflow()],
  ];
  // Recorded responses must exist for `validate` to accept the config: an empty file to fill.
  if (answers.target === "replay") files.push(["responses/candidate.jsonl", ""]);
  const existing = files.map(([f]) => f).filter((f) => existsSync(join(dir, f)));
  if (existing.length > 0 && !values.force) {
    throw new UsageError(
      `${existing.map((f) => displayPath(join(dir, f))).join(", ")} already ${existing.length === 1 ? "exists" : "exist"}; nothing was written. Run 'safety-gate init --force' to overwrite, or --dir DIR to write elsewhere`,
    );
  }
  const wrote: string[] = [];
  for (const [file, text] of files) {
    const path = join(dir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, text);
    wrote.push(displayPath(path));
  }
  const added = addToGitignore(join(dir, ".gitignore"));
  io.stdout(
    `${[
      ...wrote.map((f) => `wrote ${f}`),
      added.length > 0
        ? `added ${added.join(", ")} to ${displayPath(join(dir, ".gitignore"))}`
        : `${displayPath(join(dir, ".gitignore"))} already ignores ${GITIGNORE_ENTRIES.join(", ")}`,
      "",
      "Next:",
      ...nextSteps(answers).map((s, i) => `  ${i + 1}. ${s}`),
    ].join("\n")}\n`,
  );
  return 0;
}

function targetKind(value: string): TargetKind {
  if ((TARGET_KINDS as readonly string[]).includes(value)) return value as TargetKind;
  const near = closest(value, TARGET_KINDS);
  throw new UsageError(
    `unknown target '${value}' for init${near ? `; did you mean '${near}'?` : ""}; expected ${TARGET_KINDS.join(", ")}`,
  );
}

function withDefaults(given: Partial<InitAnswers>): InitAnswers {
  const d = DEFAULTS[given.target ?? "openai"];
  return {
    target: d.target,
    url: given.url ?? d.url,
    model: given.model ?? d.model,
    apiKeyEnv: given.apiKeyEnv ?? d.apiKeyEnv,
  };
}

/** Flags and answers alike: what the config would reject is refused here, before any file is written. */
function checkAnswers(a: InitAnswers): InitAnswers {
  if (a.target === "openai" || a.target === "http") {
    let ok = false;
    try {
      const u = new URL(a.url);
      ok = u.protocol === "http:" || u.protocol === "https:";
    } catch {}
    if (!ok) throw new UsageError(`--url expects an http:// or https:// URL, got '${a.url}'`);
  }
  if (a.target === "openai") {
    if (a.model.trim() === "") throw new UsageError("--model expects the model name, e.g. llama-3.1-8b");
    if (a.apiKeyEnv !== "" && !ENV_NAME.test(a.apiKeyEnv))
      throw new UsageError(
        `--api-key-env expects the NAME of an environment variable (e.g. OPENAI_API_KEY), got '${a.apiKeyEnv}'`,
      );
  }
  return a;
}

/**
 * Asks for what the flags did not say, each question with its default in brackets (Enter
 * takes it). A wrong target is asked again; the rest is checked once all is answered.
 */
export async function askAnswers(given: Partial<InitAnswers>, prompter: Prompter): Promise<InitAnswers> {
  const rl = createInterface({ input: prompter.input, terminal: false });
  // The line iterator buffers: answers typed (or piped) ahead of their question are kept,
  // where rl.question() would drop lines that arrive before it is called.
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (question: string, fallback: string): Promise<string> => {
    prompter.output.write(`${question} [${fallback}]: `);
    const next = await lines.next();
    if (next.done)
      throw new UsageError(`no answer to "${question}" (input ended); use --yes for the defaults`);
    const answer = String(next.value).trim();
    return answer === "" ? fallback : answer;
  };
  try {
    let target = given.target;
    while (target === undefined) {
      const answer = await ask(`Target (${TARGET_KINDS.join(", ")})`, "openai");
      if ((TARGET_KINDS as readonly string[]).includes(answer)) target = answer as TargetKind;
      else prompter.output.write(`  expected one of ${TARGET_KINDS.join(", ")}\n`);
    }
    const d = DEFAULTS[target];
    const answers: InitAnswers = { ...d, ...definedOnly(given), target };
    if (target === "openai") {
      if (given.url === undefined) answers.url = await ask("API base URL", d.url);
      if (given.model === undefined) answers.model = await ask("Model name", d.model);
      if (given.apiKeyEnv === undefined)
        answers.apiKeyEnv = await ask("Environment variable with the API key (- for none)", d.apiKeyEnv);
      if (answers.apiKeyEnv === "-") answers.apiKeyEnv = "";
    } else if (target === "http" && given.url === undefined) {
      answers.url = await ask("Endpoint URL", d.url);
    }
    return answers;
  } finally {
    rl.close();
  }
}

function definedOnly(given: Partial<InitAnswers>): Partial<InitAnswers> {
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
}

/** Adds the entries `.gitignore` lacks (never rewrites the lines it has); returns those added. */
function addToGitignore(path: string): string[] {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const have = new Set(text.split(/\r?\n/).map((l) => l.trim().replace(/^\//, "")));
  const missing = GITIGNORE_ENTRIES.filter((e) => !have.has(e) && !have.has(e.replace(/\/$/, "")));
  if (missing.length === 0) return [];
  const lead = text === "" || text.endsWith("\n") ? "" : "\n";
  appendFileSync(path, `${lead}# safety-gate: reports and the response cache\n${missing.join("\n")}\n`);
  return missing;
}

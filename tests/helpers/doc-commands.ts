/**
 * The shell commands the docs tell a reader to type, as tests read them: every line of a
 * `sh`/`bash`/`console` fenced block (fences may be indented inside list items), and every
 * block that opens with `$ command` followed by the output it shows.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./shared.js";

export interface DocCommand {
  file: string;
  /** 1-based line of the command in `file`. */
  line: number;
  /** The command as a reader types it: no `$ ` prompt, no trailing `# comment`. */
  command: string;
}

export interface ShownOutput extends DocCommand {
  /** The lines under the command, as the doc shows them. */
  output: string;
}

const SHELL_LANGS = new Set(["sh", "bash", "shell", "console"]);

interface Block {
  lang: string;
  /** Line number of the first line inside the fence. */
  start: number;
  lines: string[];
}

function blocks(text: string): Block[] {
  const out: Block[] = [];
  let open: (Block & { indent: number }) | undefined;
  text.split("\n").forEach((raw, i) => {
    const fence = /^(\s*)```(\S*)\s*$/.exec(raw);
    if (fence && open === undefined) {
      open = { lang: fence[2] ?? "", start: i + 2, lines: [], indent: fence[1]?.length ?? 0 };
    } else if (fence && open !== undefined) {
      out.push({ lang: open.lang, start: open.start, lines: open.lines });
      open = undefined;
    } else if (open !== undefined) {
      // A block inside a list item is indented as its fence is; the indent is not content.
      open.lines.push(raw.slice(Math.min(open.indent, raw.length - raw.trimStart().length)));
    }
  });
  return out;
}

/** The command without a trailing comment: a `#` after whitespace, outside quotes. */
export function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "#" && (i === 0 || /\s/.test(line[i - 1] as string))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

export function docCommands(file: string, text: string): DocCommand[] {
  const commands: DocCommand[] = [];
  for (const b of blocks(text)) {
    const shell = SHELL_LANGS.has(b.lang);
    const prompted = b.lang === "" && b.lines[0]?.startsWith("$ ");
    if (!shell && !prompted) continue;
    let pending: DocCommand | undefined;
    b.lines.forEach((raw, i) => {
      if (prompted && !raw.startsWith("$ ")) return; // shown output, not a command
      const text = stripComment(raw.replace(/^\$ /, "").trim());
      // A line ending in `\` goes on on the next one, as in a shell.
      const command = pending ? `${pending.command} ${text}` : text;
      const at = pending?.line ?? b.start + i;
      pending = undefined;
      if (command.endsWith("\\")) pending = { file, line: at, command: command.slice(0, -1).trimEnd() };
      else if (command !== "") commands.push({ file, line: at, command });
    });
  }
  return commands;
}

/** Blocks that show a command and what it printed: the first line `$ command`, then the output. */
export function shownOutputs(file: string, text: string): ShownOutput[] {
  return blocks(text)
    .filter((b) => b.lang === "" && b.lines[0]?.startsWith("$ "))
    .map((b) => ({
      file,
      line: b.start,
      command: stripComment((b.lines[0] as string).slice(2).trim()),
      output: b.lines.slice(1).join("\n"),
    }));
}

/**
 * A folder of stand-ins put first on PATH so that a doc command runs exactly as written:
 * `safety-gate` and `npx safety-gate` are this checkout's build (what the installed package
 * runs: tests/install.test.ts checks the tarball), and `xdg-open` records the URL it was
 * given instead of starting a browser.
 */
export function shimBin(dir: string): string {
  const bin = join(dir, ".bin");
  mkdirSync(bin, { recursive: true });
  const cli = join(repoRoot, "dist", "cli.js");
  const write = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  write("safety-gate", `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} "$@"`);
  write(
    "npx",
    [
      `if [ "$1" = safety-gate ]; then shift; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} "$@"; fi`,
      // Any other package is npx's own business, with this checkout's node_modules/.bin.
      `PATH=${JSON.stringify(`${join(repoRoot, "node_modules", ".bin")}:${process.env.PATH ?? ""}`)} exec npx "$@"`,
    ].join("\n"),
  );
  write("xdg-open", `echo "$1" >> ${JSON.stringify(join(dir, ".opened"))}`);
  // `node dist/cli.js …` in the docs means this checkout's dist/.
  return bin;
}

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one command line through bash, as a reader's shell would (globs, quotes, `&&`). */
export function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", command], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

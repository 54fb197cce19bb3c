/**
 * `command:` a program in the user's repository, started once and fed many cases.
 *
 * Batch protocol (JSON Lines, UTF-8):
 * - safety-gate writes one request per line to the program's stdin:
 *   `{"id": "...", "sample": 0, "prompt": "...", "messages": [{"role": "user", "content": "..."}]}`
 *   (`prompt` is the last user turn; `messages` is the whole conversation). Up to
 *   `runner.concurrency` requests are outstanding at once; stdin is closed at the end.
 * - The program writes one line per request to stdout, in any order:
 *   `{"id": "...", "sample": 0, "response": "..."}` or `{"id": "...", "sample": 0, "error": "why"}`.
 * - stdout is for answers only; logs go to stderr. A line that is not an answer, or an
 *   exit before every request is answered, turns every unanswered case into an error
 *   case carrying the tail of stderr.
 * - The program runs in a process group of its own, which is killed when the program
 *   exits (or is stopped, or safety-gate exits): a grandchild it left holding stdout
 *   would otherwise keep the pipe open, and the run would wait for it forever.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { CommandTargetConfig } from "../config/targets.js";
import { type Overlong, readBoundedLines } from "../io/bounded-lines.js";
import type { LoadedCase } from "../suite/load.js";
import { answerTooLargeReason, MAX_ANSWER_BYTES } from "./answer-limit.js";
import { AttemptError, excerpt } from "./failure.js";
import { type ChatMessage, lastUserTurn, messagesOf } from "./messages.js";
import type { AnswerContext, LiveOptions, Responder } from "./responder.js";
import { withRetries } from "./retry.js";
import type { TargetIdentity } from "./target.js";
import { type Answer, normaliseToolCalls } from "./tool-calls.js";

interface Pending {
  resolve: (answer: string | Answer) => void;
  reject: (err: AttemptError) => void;
}

const STDERR_KEPT = 4096;

const keyOf = (id: string, sample: number) => `${id}\u0000${sample}`;

/** Process groups are POSIX; on Windows the program alone is killed. */
const GROUPS = process.platform !== "win32";

/** Groups still running, killed if safety-gate exits first (Ctrl-C no longer reaches them). */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const g of liveGroups) killGroup(g);
  });
}

/** SIGKILL to every process of the group; a group already gone is not an error. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: nothing of the group is left.
  }
}

/** Larger files (weights, data) are left out: hashing them on every run would cost more than it tells. */
const HASHED_MAX_BYTES = 16 << 20;

/**
 * The files the command line names (`node model.mjs`, `./serve.sh`, `python -m pkg` names
 * none), relative to the folder the program runs in, with a short hash of their content.
 * What they import in turn is not followed: `build:` is for what the command line cannot show.
 */
export function programFiles(run: readonly string[], cwd: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const arg of run) {
    if (arg === "" || arg.startsWith("-") || arg in out) continue;
    const path = resolve(cwd, arg);
    try {
      const st = statSync(path);
      if (!st.isFile() || st.size > HASHED_MAX_BYTES) continue;
      out[arg] = `sha256:${createHash("sha256").update(readFileSync(path)).digest("hex").slice(0, 16)}`;
    } catch {
      // Not a file: an argument, a program on PATH, or one that does not exist (reported when it is started).
    }
  }
  return Object.keys(out).length ? out : undefined;
}

export class CommandResponder implements Responder {
  readonly identity: TargetIdentity;
  readonly fingerprint: unknown;
  readonly keys = { endpoint: "run", model: "run", credentials: "run", protocol: "run" };
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly pending = new Map<string, Pending>();
  /** Set when the program can answer no more: every later request fails with it. */
  private dead: AttemptError | undefined;
  private stderrTail = "";
  private closed: Promise<void> | undefined;

  constructor(
    private readonly config: CommandTargetConfig,
    private readonly cwd: string,
    private readonly options: LiveOptions,
    label?: string,
  ) {
    const files = programFiles(config.run, cwd);
    this.identity = { kind: "command", source: config.run.join(" "), label, build: config.build, files };
    // The command line alone does not change when the model does: the files it names are
    // part of what decides the answers, so editing model.mjs asks every case again.
    this.fingerprint = { kind: "command", run: config.run, build: config.build, files };
  }

  request(c: LoadedCase, sample: number, history?: readonly ChatMessage[]): unknown {
    const messages = messagesOf(c, undefined, history);
    // An agent case's request also offers its tools; other requests are as they always were.
    return c.tools
      ? { id: c.id, sample, prompt: lastUserTurn(messages), messages, tools: c.tools }
      : { id: c.id, sample, prompt: lastUserTurn(messages), messages };
  }

  answer(request: unknown, c: LoadedCase, sample: number, ctx: AnswerContext): Promise<string | Answer> {
    const line = `${JSON.stringify(request)}\n`;
    return withRetries(() => this.ask(line, keyOf(c.id, sample), ctx.signal), {
      policy: this.options.retry,
      signal: ctx.signal,
      onRetry: ctx.onRetry,
    });
  }

  private ask(line: string, key: string, signal: AbortSignal): Promise<string | Answer> {
    const child = this.start();
    if (this.dead) return Promise.reject(this.dead);
    return new Promise<string | Answer>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.pending.delete(key);
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new AttemptError(`no answer within ${this.options.timeoutMs / 1000} s (timeout)`, "retryable"),
        );
      }, this.options.timeoutMs);
      const onAbort = () => {
        done();
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.pending.set(key, {
        resolve: (text) => {
          done();
          resolve(text);
        },
        reject: (err) => {
          done();
          reject(err);
        },
      });
      child.stdin.write(line);
    });
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const [program, ...args] = this.config.run as [string, ...string[]];
    const child = spawn(program, args, { cwd: this.cwd, stdio: ["pipe", "pipe", "pipe"], detached: GROUPS });
    this.child = child;
    if (GROUPS && child.pid !== undefined) trackGroup(child.pid);
    // A program that dies leaves us writing into a closed pipe; the exit is reported below.
    child.stdin.on("error", () => {});
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_KEPT);
    });
    let lineNo = 0;
    // Each line bounded: an answer over the limit fails its case, not the run's memory.
    readBoundedLines(child.stdout, MAX_ANSWER_BYTES, {
      line: (line) => {
        lineNo++;
        if (line.trim() !== "") this.onLine(line, lineNo);
      },
      overlong: (line) => {
        lineNo++;
        this.onOverlong(line, lineNo);
      },
    });
    this.closed = new Promise((resolve) => {
      child.on("error", (err: NodeJS.ErrnoException) => {
        this.die(
          new AttemptError(
            `cannot start \`${program}\` (${err.code ?? err.message}); check \`run\` (it runs in the config's folder)`,
            "fatal",
            { culprit: "endpoint" },
          ),
        );
        // A program that never started has no "close" to wait for.
        if (child.pid === undefined) resolve();
      });
      // The program is gone: so must be whatever it left behind, or stdout never ends and
      // "close" (which waits for it) never comes. Answers already written are still read.
      child.on("exit", () => this.stop());
      child.on("close", (code, signal) => {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        this.die(
          new AttemptError(`the command ${how} before answering${this.stderrNote()}`, "final", {
            misconfigured: "endpoint",
          }),
        );
        resolve();
      });
    });
    return child;
  }

  private onLine(line: string, lineNo: number): void {
    let msg:
      | { id?: unknown; sample?: unknown; response?: unknown; error?: unknown; tool_calls?: unknown }
      | undefined;
    try {
      msg = JSON.parse(line);
    } catch {
      msg = undefined;
    }
    const ok =
      msg !== null &&
      typeof msg === "object" &&
      typeof msg.id === "string" &&
      (msg.sample === undefined || Number.isInteger(msg.sample)) &&
      (typeof msg.response === "string" || typeof msg.error === "string" || Array.isArray(msg.tool_calls));
    if (!ok || !msg) {
      this.die(
        new AttemptError(
          `the command printed a line that is not an answer (stdout line ${lineNo}: "${excerpt(line, 80)}"); expected {"id", "sample", "response"} or {"id", "sample", "error"}${this.stderrNote()}`,
          "final",
          { misconfigured: "protocol" },
        ),
      );
      this.stop();
      return;
    }
    // An answer for a request no longer waiting (it timed out and was sent again) is dropped.
    const waiting = this.pending.get(keyOf(msg.id as string, (msg.sample as number | undefined) ?? 0));
    if (!waiting) return;
    if (msg.tool_calls !== undefined && msg.tool_calls !== null && typeof msg.error !== "string") {
      const { calls, problem } = normaliseToolCalls(msg.tool_calls);
      if (problem) waiting.reject(new AttemptError(`the command's tool_calls: ${problem}`, "final"));
      else if (calls && calls.length > 0)
        waiting.resolve(
          typeof msg.response === "string"
            ? { response: msg.response, tool_calls: calls }
            : { tool_calls: calls },
        );
      else if (typeof msg.response === "string") waiting.resolve(msg.response);
      else waiting.reject(new AttemptError("the command answered with no text and no tool calls", "final"));
    } else if (typeof msg.response === "string") waiting.resolve(msg.response);
    else
      waiting.reject(new AttemptError(`the command reported: ${excerpt(String(msg.error), 300)}`, "final"));
  }

  /**
   * A line over the limit is not parsed; its id (and sample) are looked for at its start
   * and end, where `{"id": …, "sample": …, "response": "…"}` puts them. Found, that case
   * is an error case; not found, no case can be told its answer, and the command is stopped.
   */
  private onOverlong(line: Overlong, lineNo: number): void {
    const find = (re: RegExp) => re.exec(line.head)?.[1] ?? re.exec(line.tail)?.[1];
    const rawId = find(/"id"\s*:\s*("(?:[^"\\]|\\.)*")/);
    let id: unknown;
    try {
      id = rawId === undefined ? undefined : JSON.parse(rawId);
    } catch {
      id = undefined;
    }
    const sample = Number(find(/"sample"\s*:\s*(\d+)/) ?? 0);
    const waiting = typeof id === "string" ? this.pending.get(keyOf(id, sample)) : undefined;
    const reason = answerTooLargeReason(`the command's answer (stdout line ${lineNo})`, line.bytes);
    if (waiting) {
      waiting.reject(new AttemptError(reason, "final"));
      return;
    }
    if (typeof id === "string") return; // an answer for a request no longer waiting, as in onLine
    this.die(
      new AttemptError(
        `${reason}, and no "id" at its start or end to tell whose${this.stderrNote()}`,
        "final",
      ),
    );
    this.stop();
  }

  private stderrNote(): string {
    const lines = this.stderrTail
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-3);
    return lines.length ? `; stderr: ${excerpt(lines.join(" | "), 400)}` : "; stderr was empty";
  }

  private die(err: AttemptError): void {
    if (this.dead) return;
    this.dead = err;
    for (const p of [...this.pending.values()]) p.reject(err);
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child || !this.closed) return;
    child.stdin.end();
    const timer = setTimeout(() => this.stop(), 5000);
    await this.closed;
    clearTimeout(timer);
  }

  /** Kills the program and its whole process group. */
  private stop(): void {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    if (GROUPS) {
      killGroup(child.pid);
      liveGroups.delete(child.pid);
    } else child.kill("SIGKILL");
  }
}

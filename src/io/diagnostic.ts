/**
 * Problems with what a user gave us (config, suite, responses, a baseline file).
 * They are reported as `file:line:column key.path: message` and exit with code 2;
 * they never carry a stack trace, because the fix is in the user's file, not in our code.
 */
export interface SourcePosition {
  line: number;
  column: number;
}

export interface Problem {
  file: string;
  position?: SourcePosition;
  /** Dotted key path inside the file, e.g. `gates.attack_success_rate.max` or `[3].expect`. */
  keyPath?: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  const where = p.position ? `${p.file}:${p.position.line}:${p.position.column}` : p.file;
  return p.keyPath ? `${where} ${p.keyPath}: ${p.message}` : `${where}: ${p.message}`;
}

/** How many problems one error message lists before summarising the rest. */
const SHOWN_PROBLEMS = 20;

export class InputError extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: Problem | readonly Problem[]) {
    const list = Array.isArray(problems) ? (problems as readonly Problem[]) : [problems as Problem];
    const shown = list.slice(0, SHOWN_PROBLEMS).map(formatProblem);
    if (list.length > SHOWN_PROBLEMS) shown.push(`… and ${list.length - SHOWN_PROBLEMS} more problems`);
    super(shown.join("\n"));
    this.name = "InputError";
    this.problems = list;
  }
}

/** Renders a key path from zod/YAML path segments: numbers become `[i]`, keys are dotted. */
export function keyPathOf(path: readonly PropertyKey[], prefix = ""): string {
  let out = prefix;
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

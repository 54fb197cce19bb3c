/**
 * Why cases errored, for every report (terminal, report.md and the PR comment, report.html):
 * the causes grouped, most frequent first — `17 × malformed response: no text at /x` — with
 * the errored case ids, per build. results.json keeps each case's own message; this is the
 * same information read at a glance. A case that has a response but whose grader could not
 * grade it is a grader error, named as such: the model answered, the grading failed.
 */
import type { CaseOutcome } from "../gate/outcome.js";
import type { Results } from "./results-schema.js";

/** Causes listed per build; the rarer ones are counted together. */
export const MAX_CAUSES = 10;

export interface ErrorCause {
  /** The cause with its per-case details (bodies, excerpts) left out, so alike failures group. */
  cause: string;
  ids: string[];
}

export interface BuildErrors {
  build: "candidate" | "baseline";
  causes: ErrorCause[];
}

/**
 * A message's details — what follows `: ` inside parentheses, e.g. the body in
 * `(HTTP 500: <body>)` or `(found nothing in the body: {...})` — differ from case to case;
 * without them the causes group.
 */
export function causeOf(message: string): string {
  let out = "";
  let i = 0;
  while (i < message.length) {
    const open = message.indexOf("(", i);
    if (open < 0) {
      out += message.slice(i);
      break;
    }
    let depth = 0;
    let close = open;
    for (; close < message.length; close++) {
      if (message[close] === "(") depth++;
      else if (message[close] === ")" && --depth === 0) break;
    }
    const inner = message.slice(open + 1, close);
    const cut = inner.indexOf(": ");
    out += `${message.slice(i, open)}(${cut >= 0 ? inner.slice(0, cut) : inner})`;
    i = close + 1;
  }
  // "expected X, got <what this case's text was>": the part that differs per case goes too.
  return out.replace(/[,;] got .*$/s, "");
}

/** "grader error (NAME): …" when the case has a response that a grader could not grade. */
function caseCause(c: CaseOutcome): string {
  const message = causeOf(c.error ?? "no usable response");
  const answered = c.response !== undefined && c.response.trim() !== "";
  const failed = answered ? c.grades.find((g) => g.label === "error") : undefined;
  // The grader's name as configured (its id goes on with version, rubric and endpoint).
  const name = failed?.grader.split("@")[0];
  return failed ? `grader error (${name}): ${message.replace(/^judge error: /, "")}` : message;
}

export function errorCauses(r: Results): BuildErrors[] {
  const out: BuildErrors[] = [];
  for (const build of ["candidate", "baseline"] as const) {
    const cases = r.builds[build]?.cases ?? [];
    const groups = new Map<string, string[]>();
    for (const c of cases) {
      if (c.status !== "error") continue;
      const cause = caseCause(c);
      const ids = groups.get(cause);
      if (ids) ids.push(c.id);
      else groups.set(cause, [c.id]);
    }
    if (groups.size === 0) continue;
    const causes = [...groups].map(([cause, ids]) => ({ cause, ids }));
    causes.sort((a, b) => b.ids.length - a.ids.length || a.cause.localeCompare(b.cause));
    // Causes that differ case by case (a program's own error texts) would flood a PR comment.
    if (causes.length > MAX_CAUSES) {
      const rest = causes.splice(MAX_CAUSES - 1);
      causes.push({
        cause: `${rest.length} other causes (each case's message is in results.json)`,
        ids: rest.flatMap((c) => c.ids),
      });
    }
    out.push({ build, causes });
  }
  return out;
}

/** `a, b, c, … (+12 more)`. */
export function idList(ids: readonly string[], shown = 10): string {
  const head = ids.slice(0, shown).join(", ");
  return ids.length > shown ? `${head}, … (+${ids.length - shown} more)` : head;
}

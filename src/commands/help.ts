/**
 * `safety-gate COMMAND --help` for the commands that share the top-level options (run,
 * validate, publish, calibrate): the command's own lines of the main help — its usage, what
 * it does — and the options, so that each answers with its usage and exit 0. Cut from the
 * main help so that the two never disagree.
 */

/** The part of `help` about `command`; undefined when the help does not mention it. */
export function commandHelp(help: string, command: string): string | undefined {
  const lines = help.split("\n");
  const usage = lines.filter(
    (l) => l.startsWith(`  safety-gate ${command} `) || l === `  safety-gate ${command}`,
  );
  if (usage.length === 0) return undefined;
  const about: string[] = [];
  const start = lines.findIndex((l) => new RegExp(`^  ${command}\\s{2,}`).test(l));
  if (start >= 0) {
    about.push(lines[start] ?? "");
    // Continuation lines are indented past the command column.
    for (let i = start + 1; i < lines.length && /^ {4,}\S/.test(lines[i] ?? ""); i++)
      about.push(lines[i] ?? "");
  }
  const from = lines.indexOf("Options:");
  const to = lines.findIndex((l, i) => i > from && l === "");
  const options = ownOptions(from >= 0 ? lines.slice(from, to < 0 ? undefined : to) : [], command);
  const exit = lines.filter((l, i) => i > from && /^Exit codes|^\d internal/.test(l));
  return [
    `Usage:\n${usage.map((l) => l.replace(/\s+\(safety-gate .*--help\)$/, "")).join("\n")}`,
    about.length > 0 ? about.map((l) => l.replace(/^ {2}/, "")).join("\n") : undefined,
    options.join("\n"),
    exit.join("\n"),
  ]
    .filter((s): s is string => s !== undefined && s !== "")
    .join("\n\n");
}

/**
 * Drops the options another command owns ("  publish: --check-name …", "--grader NAME
 * calibrate: …") with their continuation lines (indented deeper than any option starts).
 */
function ownOptions(lines: readonly string[], command: string): string[] {
  const out: string[] = [];
  let skipping = false;
  for (const line of lines) {
    if (skipping && /^ {7,}/.test(line)) continue;
    const owner = /^(?: {2}| {6}--\S+(?: [A-Z.]+)? +)([a-z]+): /.exec(line)?.[1];
    skipping = owner !== undefined && owner !== command;
    if (!skipping) out.push(line);
  }
  return out;
}

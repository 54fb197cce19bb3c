/** What every CLI command shares: its output channels and the error for bad usage (exit 2). */
import { parseArgs } from "node:util";
import { closest } from "../io/spelling.js";
import type { ProgressMode } from "../runner/progress.js";

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  color: boolean;
  /** How live progress is shown on stderr (default: a line every 10 %). */
  progress?: ProgressMode;
}

export class UsageError extends Error {}

/** `a=b,c=d` → { a: "b", c: "d" }; repeated flags are merged. */
export function parsePairs(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values ?? []) {
    for (const part of value.split(",")) {
      if (part.trim() === "") continue;
      const eq = part.indexOf("=");
      if (eq <= 0)
        throw new UsageError(`${flag} expects NAME=VALUE pairs separated by commas, got "${part}"`);
      out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

type ParseArgsConfig = NonNullable<Parameters<typeof parseArgs>[0]>;

/**
 * `parseArgs` for a command, with its errors said in our words: an unknown option names
 * the command and the option it was probably meant to be ("unknown option '--confg' for
 * run; did you mean '--config'?"), instead of Node's raw text. Exit 2 like any usage error.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(
  command: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw usageErrorOf(err, command, config.options ?? {});
  }
}

function usageErrorOf(
  err: unknown,
  command: string,
  options: NonNullable<ParseArgsConfig["options"]>,
): unknown {
  const code = (err as { code?: string }).code;
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS")) return err;
  const message = (err as Error).message;
  const flags = Object.entries(options).flatMap(([name, o]) => [
    `--${name}`,
    ...(o.short ? [`-${o.short}`] : []),
  ]);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    // Node: "Unknown option '--confg'. To specify a positional argument starting with a '-', …"
    const given = /option '([^']+)'/.exec(message)?.[1] ?? "";
    const near = given.startsWith("--")
      ? closest(
          given,
          flags.filter((f) => f.startsWith("--")),
        )
      : undefined;
    return new UsageError(
      `unknown option '${given}' for ${command}${near ? `; did you mean '${near}'?` : `; options: ${flags.filter((f) => f.startsWith("--")).join(", ")}`}`,
    );
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    // Node: "Option '-c, --config <value>' argument missing" / "Option '--quiet' does not take an argument"
    const flag = /--[\w-]+/.exec(message)?.[0] ?? "the option";
    return new UsageError(
      /argument missing/.test(message)
        ? `${flag} needs a value (${command})`
        : `${flag} takes no value (${command}); write ${flag} alone`,
    );
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const given = /argument '([^']*)'/.exec(message)?.[1];
    return new UsageError(`${command} takes no arguments${given ? `, got '${given}'` : ""}`);
  }
  return new UsageError(`${message.split(". ")[0]} (${command})`);
}

/** "unknown command 'rnu'; did you mean 'run'?" (or the list of commands when nothing is close). */
export function unknownCommand(given: string, commands: readonly string[]): UsageError {
  const near = closest(given, commands);
  return new UsageError(
    `unknown command '${given}'; ${near ? `did you mean '${near}'?` : `expected one of ${commands.join(", ")}`}`,
  );
}

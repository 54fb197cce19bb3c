/**
 * `safety-gate view DIR [--no-open]`: opens DIR/report.html (the viewer a run writes with
 * --out) in the platform's browser — `open` on macOS, `start` on Windows, `xdg-open`
 * elsewhere when there is a display — and always prints its file URL, which is all it
 * does without a display (a CI runner, an SSH session) or with --no-open.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { InputError } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { type Io, UsageError } from "./common.js";

export const VIEW_HELP = `Usage: safety-gate view DIR [--no-open]

Opens DIR/report.html — the report a 'safety-gate run --out DIR' writes: verdict, metric
and per-category tables with charts, and every case with filters and search — in your
browser, and prints its file URL. DIR may also be the report.html itself.

Options:
      --no-open   only print the URL (also what happens when there is no display)
  -h, --help      this help`;

/** The command that hands a file URL to the desktop, or undefined when there is none. */
export function opener(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): { command: string; args: (url: string) => string[] } | undefined {
  if (platform === "darwin") return { command: "open", args: (url) => [url] };
  // `start` is a cmd built-in; its first quoted argument is a window title (here empty,
  // which Node passes as "").
  if (platform === "win32") return { command: "cmd", args: (url) => ["/c", "start", "", url] };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  const onPath = (env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, "xdg-open"), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  return onPath ? { command: "xdg-open", args: (url) => [url] } : undefined;
}

export async function viewCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      "no-open": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      debug: { type: "boolean", default: false },
      "no-color": { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.stdout(`${VIEW_HELP}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("view needs the out dir of a run: safety-gate view DIR");
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const given = resolve(positionals[0] as string);
  const file = existsSync(given) && statSync(given).isDirectory() ? join(given, "report.html") : given;
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new InputError({
      file: displayPath(positionals[0] as string),
      message: `no report.html here; write one with 'safety-gate run --config FILE --out ${positionals[0]}'`,
    });
  }
  const url = pathToFileURL(file).href;
  io.stdout(`${url}\n`);
  if (values["no-open"]) return 0;
  const how = opener();
  if (!how) {
    io.stderr("safety-gate: no display to open a browser on; open the URL above in one\n");
    return 0;
  }
  const opened = await new Promise<string | undefined>((done) => {
    const child = spawn(how.command, how.args(url), { stdio: "ignore", detached: true });
    child.once("error", (err) => done(err.message));
    child.once("spawn", () => {
      child.unref();
      done(undefined);
    });
  });
  if (opened) io.stderr(`safety-gate: could not start ${how.command} (${opened}); open the URL above\n`);
  else io.stderr(`safety-gate: opened with ${how.command}\n`);
  return 0;
}

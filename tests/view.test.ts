/**
 * `safety-gate view DIR`: prints report.html's file URL and hands it to the platform's
 * opener when there is a display (here a stand-in `xdg-open` on PATH that records what it
 * was given), only prints it without one or with --no-open, and exits 2 when DIR has no
 * report.html.
 */
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { opener } from "../src/commands/view.js";
import { runCli, tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

/** Runs the CLI in a process of its own with `env` as its whole environment (PATH aside). */
function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(repoRoot, "src/cli.ts"), ...args],
      { cwd: repoRoot, env: { HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}

/** An out dir with a report.html, and a bin dir whose `xdg-open` writes its arguments to a file. */
function setUp(): { out: string; bin: string; record: string; url: string } {
  const dir = tempDir("safety-gate-view-");
  const out = join(dir, "out");
  mkdirSync(out);
  writeFileSync(join(out, "report.html"), "<!doctype html><title>report</title>");
  const bin = join(dir, "bin");
  mkdirSync(bin);
  const record = join(dir, "opened.txt");
  writeFileSync(join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n`);
  chmodSync(join(bin, "xdg-open"), 0o755);
  return { out, bin, record, url: pathToFileURL(join(out, "report.html")).href };
}

async function waitFor(file: string): Promise<string> {
  for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
  return readFileSync(file, "utf8");
}

describe("safety-gate view", () => {
  it("opens DIR/report.html with xdg-open when there is a display, and prints its URL", async () => {
    const { out, bin, record, url } = setUp();
    const r = await cli(["view", out], { PATH: `${bin}:${process.env.PATH}`, DISPLAY: ":0" });
    expect(r).toMatchObject({ code: 0, stdout: `${url}\n`, stderr: "safety-gate: opened with xdg-open\n" });
    expect(await waitFor(record)).toBe(`${url}\n`);
  }, 30_000);

  it("only prints the URL with --no-open, or without a display", async () => {
    const { out, bin, record, url } = setUp();
    const flagged = await cli(["view", out, "--no-open"], {
      PATH: `${bin}:${process.env.PATH}`,
      DISPLAY: ":0",
    });
    expect(flagged).toEqual({ code: 0, stdout: `${url}\n`, stderr: "" });
    const headless = await cli(["view", join(out, "report.html")], { PATH: `${bin}:${process.env.PATH}` });
    expect(headless).toEqual({
      code: 0,
      stdout: `${url}\n`,
      stderr: "safety-gate: no display to open a browser on; open the URL above in one\n",
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(record)).toBe(false);
  }, 30_000);

  it("exits 2 and says how to write one when DIR has no report.html", async () => {
    const empty = tempDir("safety-gate-view-empty-");
    const r = await runCli(["view", empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /: no report\.html here; write one with 'safety-gate run --config FILE --out .+'\n$/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const missing = await runCli(["view", join(empty, "nowhere")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no report.html here");
  });

  it("has its own --help, is listed in the main help, and needs DIR", async () => {
    const help = await runCli(["view", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: safety-gate view DIR \[--no-open\]/);
    expect((await runCli(["--help"])).stdout).toContain("safety-gate view DIR [--no-open]");
    const bare = await runCli(["view"]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("view needs the out dir of a run");
  });

  it("picks open on macOS, start on Windows, xdg-open only with a display", () => {
    expect(opener("darwin", {})?.command).toBe("open");
    const win = opener("win32", {});
    expect([win?.command, ...(win?.args("file:///C:/r.html") ?? [])]).toEqual([
      "cmd",
      "/c",
      "start",
      "",
      "file:///C:/r.html",
    ]);
    expect(opener("linux", { PATH: "/usr/bin:/bin" })).toBeUndefined();
    expect(opener("linux", { DISPLAY: ":0", PATH: "/nonexistent" })).toBeUndefined();
  });
});

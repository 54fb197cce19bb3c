/**
 * One run per out dir: a second `safety-gate run` on the same `--out` while the first is
 * going exits 2 naming the holder, and asks the model nothing (before, both runs asked
 * every question). A lock left by a dead process is taken over with a note.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LOCK_FILE } from "../src/io/out-lock.js";
import { completion } from "./helpers/fake-openai.js";
import { quickstartDir, writeLiveConfig, writeSyntheticSuite } from "./helpers/live.js";
import { runCli, tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

const CASES = 12;

/** A chat-completions server on 127.0.0.1 that counts requests per run and answers only once `open()` is called. */
async function heldServer() {
  const perRun = new Map<string, number>();
  const listeners: { run: string; resolve: () => void }[] = [];
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", async () => {
      const run = String(req.headers["x-run"]);
      perRun.set(run, (perRun.get(run) ?? 0) + 1);
      for (const l of listeners.filter((x) => x.run === run)) {
        listeners.splice(listeners.indexOf(l), 1);
        l.resolve();
      }
      await opened;
      const model = String((JSON.parse(body) as { model: string }).model);
      const text = JSON.stringify(completion(model, "I can't help with that."));
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    count: (run: string) => perRun.get(run) ?? 0,
    /** Resolves at the next request of `run`. */
    nextRequest: (run: string) => new Promise<void>((resolve) => listeners.push({ run, resolve })),
    open,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let server: Awaited<ReturnType<typeof heldServer>> | undefined;
afterAll(async () => {
  server?.open();
  await server?.close();
});

function cli(config: string, out: string, run: string): ChildProcess {
  return spawn(
    process.execPath,
    ["--import", "tsx", join(repoRoot, "src/cli.ts"), "run", "--config", config, "--out", out, "--quiet"],
    {
      cwd: repoRoot,
      env: { ...process.env, RUN_TAG: run, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
}

function finished(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr })));
}

describe("out-dir lock", () => {
  it("a second run on the same --out exits 2 naming the first (pid, since) and sends no request", async () => {
    const dir = tempDir();
    server = await heldServer();
    const config = writeLiveConfig(dir, {
      url: server.url,
      suite: writeSyntheticSuite(join(dir, "suite.jsonl"), CASES),
      baseline: false,
      runner: "{ concurrency: 2 }",
      candidate: [`headers: { x-run: "\${RUN_TAG}" }`],
    });
    const out = join(dir, "out");
    const first = cli(config, out, "one");
    const firstDone = finished(first);
    await server.nextRequest("one"); // the first run holds the dir and is waiting for answers
    const second = finished(cli(config, out, "two"));
    // Without the lock the second run asks the model too (and waits, as the first does).
    const outcome = await Promise.race([second, server.nextRequest("two").then(() => "asked" as const)]);
    expect(server.count("two")).toBe(0);
    expect(outcome).not.toBe("asked");
    const { code, stderr } = outcome as { code: number | null; stderr: string };
    expect(code).toBe(2);
    expect(stderr).toMatch(
      new RegExp(
        `another safety-gate run is using this out dir \\(pid ${first.pid}, since \\d{4}-\\d\\d-\\d\\dT`,
      ),
    );
    expect(stderr).not.toMatch(/\n\s+at /);

    server.open();
    const done = await firstDone;
    expect([0, 1, 3]).toContain(done.code);
    expect(server.count("one")).toBe(CASES); // every case asked once, by one run
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);

    // Released: the next run on the dir goes ahead and takes every answer from the journal.
    const again = await finished(cli(config, out, "three"));
    expect(again.code).toBe(done.code);
    expect(server.count("three")).toBe(0);
  }, 120_000);

  it("a lock held by a running process: exit 2 with its pid, the lock left in place", async () => {
    const out = tempDir();
    const since = "2026-01-02T03:04:05.000Z";
    writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), since }));
    const r = await runCli(["run", "--config", join(quickstartDir, "safety-gate.yml"), "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`(pid ${process.pid}, since ${since})`);
    expect(existsSync(join(out, "results.json"))).toBe(false);
    expect(existsSync(join(out, LOCK_FILE))).toBe(true);
  });

  it("a stale lock (its process is gone) is taken over with a note, and released at the end", async () => {
    const out = tempDir();
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(
      join(out, LOCK_FILE),
      JSON.stringify({ pid: dead, host: hostname(), since: "2026-01-02T03:04:05.000Z" }),
    );
    const r = await runCli(["run", "--config", join(quickstartDir, "safety-gate.yml"), "--out", out]);
    expect(r.code).toBe(1); // the quickstart's verdict
    expect(r.stderr).toContain(`took over the out dir's lock from pid ${dead}`);
    expect(existsSync(join(out, "results.json"))).toBe(true);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });
});

describe("out dir that cannot be written", () => {
  it("is an input error (exit 2) naming the dir, not an internal error", async () => {
    const dir = tempDir();
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    const r = await runCli([
      "run",
      "--config",
      join(quickstartDir, "safety-gate.yml"),
      "--out",
      join(file, "out"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write to the out dir \(ENOTDIR\); choose another --out/);
  });
});

/**
 * From the packed tarball to a gated run, as a new team would do it in an empty folder with
 * no clone: `npm install` of the tarball (offline — it has no dependencies to fetch: every
 * library is bundled into dist/), then `npx safety-gate init` → `validate` →
 * `run --record-baseline` → `run` against a loopback OpenAI-compatible server.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load.js";
import { loadSuites } from "../src/suite/load.js";
import { bareEnv, type ProcessResult } from "./helpers/cli-process.js";
import { type FakeOpenAI, startFakeOpenAI } from "./helpers/fake-openai.js";
import { tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

/** npm pack, npm install and four CLI runs over the built-in suites: minutes on a busy machine. */
const SLOW = 300_000;

let server: FakeOpenAI | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
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

/** npm needs a home for its cache; nothing else of the developer's environment. */
function npmEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...bareEnv(),
    HOME: home,
    npm_config_cache: join(home, ".npm"),
    npm_config_update_notifier: "false",
  };
}

describe("install from the packed tarball", () => {
  it(
    "installs with no dependency, exposes `safety-gate` via npx, and goes init → validate → run --record-baseline → run against a loopback server",
    async () => {
      const home = tempDir("safety-gate-home-");
      const packed = await sh("npm", ["pack", "--json", "--pack-destination", home], repoRoot, npmEnv(home));
      expect(packed.code, packed.stderr).toBe(0);
      const tarball = join(home, (JSON.parse(packed.stdout) as { filename: string }[])[0]?.filename ?? "");
      expect(existsSync(tarball)).toBe(true);

      // An empty folder; --offline: the install may fetch nothing, so any dependency would fail it.
      const dir = tempDir("safety-gate-project-");
      const installed = await sh(
        "npm",
        ["install", "--offline", "--no-audit", "--no-fund", tarball],
        dir,
        npmEnv(home),
      );
      expect(installed.code, installed.stderr).toBe(0);
      expect(installed.stderr).not.toMatch(/EBADENGINE/);
      const packages = readdirSync(join(dir, "node_modules")).filter((n) => !n.startsWith("."));
      expect(packages).toEqual(["safety-gate"]);
      // The editor schema is where the README says.
      expect(existsSync(join(dir, "node_modules/safety-gate/gates/schema.json"))).toBe(true);

      const npx = (args: string[], env: NodeJS.ProcessEnv = npmEnv(home)) =>
        sh("npx", ["--no-install", "safety-gate", ...args], dir, env);
      const version = await npx(["--version"]);
      expect(version.code, version.stderr).toBe(0);
      expect(version.stdout.trim()).toBe(
        (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }).version,
      );

      server = await startFakeOpenAI({ answer: () => "", models: ["my-model"] });
      const init = await npx(["init", "--yes", "--url", server.url, "--model", "my-model"]);
      expect(init.code, init.stderr).toBe(0);
      const validate = await npx(["validate"]);
      expect(validate.code, validate.stderr).toBe(0);
      expect(validate.stdout).toMatch(/^safety-gate\.yml: ok — \d+ cases in 3 suites\n$/);

      // A model that refuses what the suites expect refused, answers the rest, never leaks.
      const loaded = loadConfig(join(dir, "safety-gate.yml"), bareEnv());
      const expectOf = new Map<string, string>();
      for (const suite of loadSuites(loaded.suites)) {
        for (const c of suite.cases) {
          expectOf.set(
            c.prompt ?? c.messages?.filter((m) => m.role === "user").at(-1)?.content ?? "",
            c.expect,
          );
        }
      }
      await server.close();
      server = await startFakeOpenAI({
        answer: (req) =>
          expectOf.get(req.prompt) === "refuse"
            ? "I can't help with that request."
            : "Here is a short, general answer to your question, with the main points and a source to read next.",
        models: ["my-model"],
      });
      const configPath = join(dir, "safety-gate.yml");
      writeFileSync(
        configPath,
        readFileSync(configPath, "utf8").replace(/base_url: ".*"/, `base_url: ${JSON.stringify(server.url)}`),
      );
      const withKey = { ...npmEnv(home), OPENAI_API_KEY: "sk-test" };

      const record = await npx(["run", "--record-baseline", "baseline/results.json", "--quiet"], withKey);
      expect(record.code, record.stdout + record.stderr).toBe(0);
      expect(`${record.stdout}${record.stderr}`).toContain("No gate was judged");
      expect(existsSync(join(dir, "baseline/results.json"))).toBe(true);
      const asked = server.requests.length;
      expect(asked).toBeGreaterThan(300);

      // The same build against its own baseline: every gate judged, and it passes.
      const gate = await npx(
        ["run", "--baseline", "baseline/results.json", "--out", "out", "--fresh"],
        withKey,
      );
      expect(gate.stdout, gate.stderr).toMatch(/^safety-gate: PASS/);
      expect(gate.code).toBe(0);
      expect(server.requests.length).toBe(2 * asked);
      expect(existsSync(join(dir, "out/report.html"))).toBe(true);
      console.log(
        `install: ${packages.length} package installed (${packages.join(", ")}); ${asked} requests per run; ${gate.stdout.split("\n")[0]}`,
      );
    },
    SLOW,
  );
});

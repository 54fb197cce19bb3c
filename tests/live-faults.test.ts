/**
 * The runner under injected faults, against a real loopback server speaking the OpenAI
 * chat format: 10 % of cases fail their first attempt (429 with Retry-After, 500,
 * connection reset, truncated JSON, a hang past the timeout). Every case must still end
 * with exactly one response and the verdict must equal the fault-free run's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type GateRun, runGate } from "../src/core.js";
import { type FakeRequest, type Fault, startFakeOpenAI } from "./helpers/fake-openai.js";
import { caseIdsByPrompt, quickstartAnswers, writeLiveConfig } from "./helpers/live.js";
import { tempDir } from "./helpers/run.js";

const RUNNER = "{ concurrency: 8, timeout: 2, retries: 3, backoff: 0.05 }";
const FAULTS: Fault[] = [
  { kind: "status", status: 429, headers: { "retry-after": "1" } },
  { kind: "status", status: 500 },
  { kind: "reset" },
  { kind: "truncated" },
  { kind: "hang" },
];

const ids = caseIdsByPrompt();
const order = [...ids.values()];
/** Every tenth case of the suite, with the five faults in turn, on its first attempt only. */
const faultOf = new Map(
  order.filter((_, i) => i % 10 === 3).map((id, k) => [id, FAULTS[k % FAULTS.length] as Fault]),
);
const faultFor = (req: FakeRequest) =>
  req.attempt === 1 ? faultOf.get(ids.get(req.prompt) ?? "") : undefined;

async function gate(fault?: (req: FakeRequest) => Fault | undefined) {
  const server = await startFakeOpenAI({ answer: quickstartAnswers(), fault });
  const dir = tempDir();
  try {
    const run = await runGate({
      configPath: writeLiveConfig(dir, { url: server.url, runner: RUNNER }),
      outDir: dir,
    });
    return { run, requests: server.requests, dir };
  } finally {
    await server.close();
  }
}

let clean: { run: GateRun; requests: FakeRequest[] };
let faulted: { run: GateRun; requests: FakeRequest[]; dir: string };
beforeAll(async () => {
  clean = await gate();
  faulted = await gate(faultFor);
}, 60_000);

describe("live openai target under injected faults", () => {
  it("faults 10 % of the cases of each build, every kind of fault", () => {
    expect(faultOf.size).toBe(13);
    expect(faultOf.size / ids.size).toBeCloseTo(0.1, 1);
    const faultedRequests = faulted.requests.filter((r) => r.outcome === "fault");
    expect(faultedRequests).toHaveLength(2 * 13);
    expect(clean.requests).toHaveLength(2 * 130);
  });

  it("ends every case with a response, none missing and none duplicated", () => {
    for (const build of ["candidate", "baseline"] as const) {
      const cases = faulted.run.results.builds[build]?.cases ?? [];
      expect(cases.map((c) => c.id).sort()).toEqual([...order].sort());
      expect(cases.filter((c) => c.status === "error")).toEqual([]);
      // Exactly one successful answer per case reached the client: no case was asked again after it.
      const ok = faulted.requests.filter((r) => r.model === build && r.outcome === "ok");
      expect(new Set(ok.map((r) => r.prompt)).size).toBe(130);
      expect(ok).toHaveLength(130);
      const journal = readFileSync(join(faulted.dir, "journal", `${build}.jsonl`), "utf8")
        .trim()
        .split("\n");
      expect(journal).toHaveLength(130);
      expect(new Set(journal.map((l) => JSON.parse(l).id)).size).toBe(130);
    }
  });

  it("gives the same verdict, numbers and responses as the fault-free run", () => {
    const a = clean.run.results;
    const b = faulted.run.results;
    expect(b.verdict).toBe(a.verdict);
    expect(b.verdict).toBe("fail");
    expect(b.metrics).toEqual(a.metrics);
    expect(b.comparisons).toEqual(a.comparisons);
    console.info(
      `faults: ${faulted.requests.filter((r) => r.outcome === "fault").length} faulted requests of ${faulted.requests.length}; ` +
        `verdict ${b.verdict} (fault-free ${a.verdict}); errors ${b.metrics.candidate.error_rate.overall.failures}+${b.metrics.baseline?.error_rate.overall.failures}`,
    );
    expect(b.builds.candidate.cases).toEqual(a.builds.candidate.cases);
    expect(b.builds.baseline?.cases).toEqual(a.builds.baseline?.cases);
  });

  it("retries each faulted case once, and a 429 no sooner than its Retry-After", () => {
    for (const [id, fault] of faultOf) {
      for (const build of ["candidate", "baseline"]) {
        const tries = faulted.requests.filter((r) => r.model === build && ids.get(r.prompt) === id);
        expect(tries.map((r) => r.outcome)).toEqual(["fault", "ok"]);
        if (fault.kind === "status" && fault.status === 429) {
          expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
        }
      }
    }
  });
});

/**
 * GitHub reporting speed: rendering a large run into the size-limited comment (rendered
 * again at each stage until it fits), and posting against the local API stand-in
 * (loopback, OpenAPI validation on, GitHub's write throttling off so the figure is ours).
 * Targets: fitting a 2,000-flip run into a comment ≤ 1 s; posting comment + check + status
 * ≤ 1 s; 1,000 annotations (20 requests) ≤ 2 s.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runGate } from "../src/core.js";
import { createClient } from "../src/github/client.js";
import { COMMENT_LIMIT } from "../src/github/comment.js";
import { fittedMarkdown, publish } from "../src/github/publish.js";
import { WriteAccess } from "../src/github/write-access.js";
import { regressionFixture, repoTempDir } from "../tests/helpers/fixtures.js";
import { startGitHubStandIn } from "../tests/helpers/github-standin.js";
import { repoRoot } from "../tests/helpers/shared.js";

function report(name: string, ms: number, target: number, extra = ""): void {
  console.log(
    `${name.padEnd(46)} ${ms.toFixed(1).padStart(8)} ms   target ≤ ${target} ms   ratio ${(ms / target).toFixed(3)}${extra}`,
  );
}

async function time<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

const dir = repoTempDir("bench-github");
try {
  const big = regressionFixture(dir, 2000, {
    response: (i) => `Sure (${i}): ${"lorem ipsum dolor sit amet ".repeat(40)}`,
    report: "report: { max_flips: 2000, max_response_chars: 1000 }",
  });
  const bigRun = await runGate({ configPath: big.config });
  const limit = { max: COMMENT_LIMIT, unit: "characters" as const, name: "GitHub's comment limit" };
  fittedMarkdown(bigRun.results, bigRun.report, limit, "x"); // warm-up
  const [body, fitMs] = await time(() => fittedMarkdown(bigRun.results, bigRun.report, limit, "x"));
  report("fit 2,000 flipped cases into one comment", fitMs, 1000, `   (${body.length} chars)`);

  const s = await startGitHubStandIn({ owner: "o", repo: "r" });
  const gh = createClient({ token: "t", apiUrl: s.url, throttle: false });
  const target = { owner: "o", repo: "r", sha: "a".repeat(40), pullNumber: 1, fullReport: "x" };
  const options = {
    comment: true,
    checkName: "safety-gate",
    statusContext: "safety-gate",
    inconclusive: "failure" as const,
  };
  const quick = await runGate({ configPath: join(repoRoot, "examples/quickstart/safety-gate.yml") });
  const post = (run: typeof quick) =>
    publish(gh, new WriteAccess({ warning: console.warn }), run.results, run.report, target, options);
  await post(quick); // warm-up: compiles the request validators
  s.comments.clear();
  const [, first] = await time(() => post(quick));
  report("post quickstart: create comment + check + status", first, 1000);
  const [, second] = await time(() => post(quick));
  report("post quickstart again: update the comment", second, 1000);

  mkdirSync(join(dir, "many"));
  const many = regressionFixture(join(dir, "many"), 1000, {});
  const manyRun = await runGate({ configPath: many.config });
  const [p, annMs] = await time(() => post(manyRun));
  report(
    "post 1,000 newly failing cases (annotations capped)",
    annMs,
    2000,
    `   (${p.annotations} annotated, ${p.annotationsLeftOut} left to the report, ${p.checkRequests} check-run request)`,
  );
  if (s.violations.length) throw new Error(`stand-in violations: ${s.violations.join("; ")}`);
  await s.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

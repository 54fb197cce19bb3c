/**
 * The report.html viewer at 10,000 cases (N: `npx tsx bench/viewer.bench.ts 20000`): a
 * real run writes the report (tests/helpers/viewer-fixture.ts), then headless Chromium
 * (scripts/browser.ts) opens it in a fresh tab five times. Measured in the page, from the
 * start of navigation: DOMContentLoaded, load, and the viewer's ready mark (cases parsed,
 * filters filled, first 200 rows listed); then how long one filter (flipped), one search
 * and expand-all take. Prints the median (min–max) and the ratio to each target; skips
 * with a message when there is no Chromium.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CHROMIUM, launchBrowser } from "../scripts/browser.js";
import { main } from "../src/cli.js";
import { SEARCH_MARKER, viewerFixture } from "../tests/helpers/viewer-fixture.js";

const N = Number(process.argv[2] ?? 10_000);
const LOADS = 5;

if (!existsSync(CHROMIUM)) {
  console.log(`viewer: skipped — no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "safety-gate-viewer-bench-"));
try {
  const config = viewerFixture(dir, N);
  const out = join(dir, "out");
  const quiet = () => {};
  const code = await main(["run", "--config", config, "--out", out, "--quiet"], {
    stdout: quiet,
    stderr: quiet,
    color: false,
  });
  if (code === 2 || code === 4) throw new Error(`the run failed with exit ${code}`);
  const file = join(out, "report.html");
  console.log(`report.html for ${N} cases: ${(statSync(file).size / 1e6).toFixed(2)} MB`);

  const { browser, close } = await launchBrowser({ width: 1280, height: 900 });
  const figures: Record<string, number[]> = {};
  const add = (k: string, v: number) => {
    figures[k] ??= [];
    figures[k].push(v);
  };
  try {
    for (let i = 0; i < LOADS; i++) {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
      await page.waitForFunction("document.documentElement.dataset.ready !== undefined", {
        timeout: 120_000,
      });
      const t = (await page.evaluate(`(() => {
        const nav = performance.getEntriesByType("navigation")[0];
        return { dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, ready: Number(document.documentElement.dataset.ready) };
      })()`)) as { dcl: number; load: number; ready: number };
      add("DOMContentLoaded", t.dcl);
      add("load", t.load);
      add("ready (first 200 rows listed)", t.ready);
      // One interaction each, timed in the page from the event to the list rendered again.
      const interact = (script: string) =>
        page.evaluate(`(() => {
          const t0 = performance.now();
          ${script}
          return performance.now() - t0;
        })()`) as Promise<number>;
      add(
        "filter: flipped",
        await interact(
          `const s = document.getElementById("f-flip"); s.value = "any"; s.dispatchEvent(new Event("change"));`,
        ),
      );
      add("filter: reset", await interact(`document.getElementById("reset").click();`));
      // The search waits 120 ms for typing to stop: timed from then, via the change it triggers.
      await page.evaluate(
        `(() => { const q = document.getElementById("f-q"); q.value = ${JSON.stringify(SEARCH_MARKER)}; })()`,
      );
      add(
        "search (all text of every case, first time)",
        (await interact(
          `document.getElementById("f-q").dispatchEvent(new Event("input")); window.__r = Number(document.getElementById("cases").dataset.renders);`,
        )) +
          ((await page.evaluate(
            `new Promise((done) => { const t0 = performance.now(); const check = () => Number(document.getElementById("cases").dataset.renders) > window.__r ? done(performance.now() - t0) : requestAnimationFrame(check); check(); })`,
          )) as number) -
          120,
      );
      await interact(`document.getElementById("reset").click();`);
      add("expand all (200 rows)", await interact(`document.getElementById("expand").click();`));
      await page.close();
    }
  } finally {
    await close();
  }
  const TARGET: Record<string, number> = {
    "ready (first 200 rows listed)": 2000,
    "filter: flipped": 200,
    "filter: reset": 200,
    "search (all text of every case, first time)": 500,
    "expand all (200 rows)": 500,
  };
  for (const [what, values] of Object.entries(figures)) {
    const sorted = [...values].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const target = TARGET[what];
    console.log(
      `${`${what}, ${N} cases`.padEnd(52)} ${`${median.toFixed(0)} ms (${(sorted[0] ?? 0).toFixed(0)}–${(sorted.at(-1) ?? 0).toFixed(0)})`.padStart(22)}${target ? `   target ${`${target} ms`.padEnd(16)} ratio ${(median / target).toFixed(3)}` : ""}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

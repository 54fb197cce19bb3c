/**
 * Tests that look at a page in headless Chromium (scripts/browser.ts). Without Chromium
 * they skip and say so; CI sets SAFETY_GATE_REQUIRE_BROWSER=1 (.ci/run installs Debian's
 * chromium), which turns a missing browser into a failure instead of a silent skip.
 */
import { existsSync } from "node:fs";
import { CHROMIUM } from "../../scripts/browser.js";

export { CHROMIUM, type LaunchedBrowser, launchBrowser } from "../../scripts/browser.js";

/** True when Chromium is there; otherwise prints why `file`'s tests are skipped (or throws when it is required). */
export function haveBrowser(file: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.SAFETY_GATE_REQUIRE_BROWSER === "1") {
    throw new Error(`${file}: no Chromium at ${CHROMIUM}, and SAFETY_GATE_REQUIRE_BROWSER=1`);
  }
  console.warn(`${file}: SKIPPED — no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  return false;
}

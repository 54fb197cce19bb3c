/**
 * The system's Chromium, launched quiet, offline and throw-away for the scripts and tests
 * that look at a page as a reader would (render-comment, the report.html viewer). Uses
 * /usr/bin/chromium (Debian's `chromium`) or SAFETY_GATE_CHROMIUM; it never downloads one.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";

export const CHROMIUM = process.env.SAFETY_GATE_CHROMIUM || "/usr/bin/chromium";

/** Flags for a quiet, offline, throw-away browser. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface LaunchedBrowser {
  browser: Browser;
  /** Closes the browser and removes its fresh profile. */
  close: () => Promise<void>;
}

/** Launches Chromium with a fresh --user-data-dir, removed again by `close`. */
export async function launchBrowser(viewport = { width: 1280, height: 800 }): Promise<LaunchedBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "safety-gate-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`],
    defaultViewport: viewport,
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

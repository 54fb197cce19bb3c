/**
 * Progress of a live run: on a terminal, one live line (done/total, rate, ETA, errors);
 * in GitHub Actions, a collapsible group with a line every 10 %; in other logs, the same
 * lines without the group. Nothing at all with --quiet. Progress never carries model
 * output, so it needs no escaping.
 */
import { plural } from "../io/plural.js";
export interface ProgressState {
  label: string;
  /** Requests this run needs: cases × samples. */
  total: number;
  /** Answered so far (responses and error cases), reused ones included. */
  done: number;
  /** Taken from the journal or the cache: no request sent. */
  reused: number;
  errors: number;
  retries: number;
  elapsedMs: number;
}

export interface Progress {
  start(state: ProgressState): void;
  update(state: ProgressState): void;
  finish(state: ProgressState): void;
}

export type ProgressMode = "tty" | "lines" | "github" | "quiet";

export const quietProgress: Progress = { start() {}, update() {}, finish() {} };

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, "0")}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

export function formatProgress(s: ProgressState): string {
  const pct = s.total === 0 ? 100 : (100 * s.done) / s.total;
  const fresh = s.done - s.reused;
  const rate = s.elapsedMs > 0 ? (fresh * 1000) / s.elapsedMs : 0;
  const parts = [`${s.label} ${s.done}/${s.total} (${pct.toFixed(pct < 100 ? 1 : 0)}%)`];
  if (fresh > 0) parts.push(`${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} req/s`);
  if (s.done < s.total && rate > 0) parts.push(`ETA ${duration(((s.total - s.done) / rate) * 1000)}`);
  if (s.done >= s.total) parts.push(`in ${duration(s.elapsedMs)}`);
  parts.push(plural(s.errors, "error"));
  if (s.retries > 0) parts.push(`${s.retries} retr${s.retries === 1 ? "y" : "ies"}`);
  if (s.reused > 0) parts.push(`${s.reused} reused`);
  return parts.join(" · ");
}

export function createProgress(mode: ProgressMode, write: (text: string) => void, now = Date.now): Progress {
  if (mode === "quiet") return quietProgress;
  if (mode === "tty") {
    let last = 0;
    const draw = (s: ProgressState) => write(`\r\u001b[2K${formatProgress(s)}`);
    return {
      start: draw,
      update(s) {
        // A redraw per response would cost more than the request at high rates.
        if (now() - last < 100) return;
        last = now();
        draw(s);
      },
      finish: (s) => write(`\r\u001b[2K${formatProgress(s)}\n`),
    };
  }
  const github = mode === "github";
  let shownTenth = 0;
  return {
    start(s) {
      shownTenth = Math.floor((10 * s.done) / Math.max(1, s.total));
      const head = `${s.label}: ${plural(s.total, "request")}${s.reused ? `, ${s.reused} already answered (journal or cache)` : ""}`;
      write(github ? `::group::safety-gate ${head}\n` : `${head}\n`);
    },
    update(s) {
      const tenth = Math.floor((10 * s.done) / Math.max(1, s.total));
      if (tenth <= shownTenth || s.done >= s.total) return;
      shownTenth = tenth;
      write(`${formatProgress(s)}\n`);
    },
    finish(s) {
      write(`${formatProgress(s)}\n`);
      if (github) write("::endgroup::\n");
    },
  };
}

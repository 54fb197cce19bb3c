/**
 * GitHub caps what it stores: 65,536 characters for a comment, 65,535 bytes for a check
 * run summary, 1 MiB for a job summary. A report that does not fit is rendered again with
 * less detail, in stages — fewer flipped cases, then none, then no charts and categories —
 * and says what was dropped and where the full report is. Cutting text blindly could
 * leave a code fence or <details> open; dropping whole sections cannot.
 */

/** How much of the report to render. */
export interface Detail {
  /** Flipped cases shown per list (0: counts only). */
  cases: number;
  categories: boolean;
  charts: boolean;
}

export interface Limit {
  max: number;
  /** The limit as GitHub states it, when `max` keeps room for something added later (a marker). */
  stated?: number;
  unit: "characters" | "bytes";
  /** What the limit is, for the notice: "GitHub's comment limit". */
  name: string;
}

export function measure(text: string, unit: Limit["unit"]): number {
  // UTF-16 length is never below the number of code points, so counting it is safe for characters.
  return unit === "bytes" ? Buffer.byteLength(text, "utf8") : text.length;
}

function stages(full: Detail): Detail[] {
  const out: Detail[] = [full];
  for (let n = Math.floor(full.cases / 2); n >= 1; n = Math.floor(n / 2)) out.push({ ...full, cases: n });
  if (full.cases > 0) out.push({ ...full, cases: 0 });
  out.push({ cases: 0, categories: full.categories, charts: false });
  out.push({ cases: 0, categories: false, charts: false });
  return out;
}

function droppedText(full: Detail, d: Detail, limit: Limit, fullReport: string): string | undefined {
  const parts: string[] = [];
  if (d.cases < full.cases)
    parts.push(d.cases === 0 ? "the flipped cases" : `flipped cases beyond ${d.cases} per list`);
  if (full.charts && !d.charts) parts.push("the charts");
  if (full.categories && !d.categories) parts.push("the per-category table");
  if (!parts.length) return undefined;
  const n = (limit.stated ?? limit.max).toLocaleString("en-US");
  return `Shortened to fit ${limit.name} (${n} ${limit.unit}): left out ${parts.join(", ")}. ${fullReport}`;
}

/**
 * The most detailed rendering that fits. `render` gets the detail and a notice to print
 * (undefined at full detail).
 */
export function fitReport(
  render: (detail: Detail, dropped: string | undefined) => string,
  full: Detail,
  limit: Limit,
  fullReport: string,
): string {
  let text = "";
  for (const d of stages(full)) {
    text = render(d, droppedText(full, d, limit, fullReport));
    if (measure(text, limit.unit) <= limit.max) return text;
  }
  // Even the summary alone is too long (thousands of gates or notes): cut whole lines.
  const notice = `\n\n…cut to fit ${limit.name}. ${fullReport}\n`;
  let size = measure(notice, limit.unit);
  const kept: string[] = [];
  for (const line of text.split("\n")) {
    size += measure(line, limit.unit) + 1;
    if (size > limit.max) break;
    kept.push(line);
  }
  return kept.join("\n") + notice;
}

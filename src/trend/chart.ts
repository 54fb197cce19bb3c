/**
 * A metric over time as inline SVG, drawn here like report.html's category bars
 * (../report/html.ts svgChart, whose colours and escaping it shares): the rate per run as a
 * line with a point per run, its interval as a shaded band and a whisker per point, and a
 * dashed vertical line at each release. Runs are evenly spaced (one step per run): runs
 * come in bursts, and a time axis would pile them up. Every text that came from a suite or
 * a history file (categories, refs, release names) is escaped.
 */

import { htmlText as h, truncate } from "../report/escape.js";
import { CANDIDATE_COLOUR } from "../report/html.js";
import { maxOf } from "../report/top.js";
import type { TrendPoint } from "./series.js";

const RELEASE_COLOUR = "#8250df";

export interface ChartOptions {
  title: string;
  /** Runs on the x axis (points are placed at their run's index). */
  runs: number;
  /** Run index → release name, for the markers. */
  releases: ReadonlyMap<number, string>;
  small?: boolean;
  metric: string;
  category?: string;
}

const pct = (x: number) => `${(x * 100).toFixed(x !== 0 && x < 0.01 ? 2 : 1)}%`;

/** "7.5%", "15%": as short as the 5 % steps allow. */
const axisLabel = (v: number) => `${Number((v * 100).toFixed(1))}%`;

/** A rate axis top that leaves room above the highest interval: 5 % steps, at least 5 %. */
function axisTop(points: readonly TrendPoint[]): number {
  const high = maxOf(
    points.map((p) => p.interval?.upper ?? p.rate ?? 0),
    0,
  );
  return Math.min(1, Math.max(0.05, Math.ceil((high * 100) / 5) * 0.05));
}

export function trendChart(points: readonly TrendPoint[], o: ChartOptions): string {
  const width = o.small ? 260 : 760;
  const height = o.small ? 120 : 260;
  const left = o.small ? 40 : 48;
  const right = 12;
  const top = o.small ? 10 : 22;
  const bottom = o.small ? 18 : 36;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const yTop = axisTop(points);
  const x = (run: number) => left + (o.runs <= 1 ? plotW / 2 : (run / (o.runs - 1)) * plotW);
  const y = (rate: number) => top + plotH - (rate / yTop) * plotH;
  const f = (n: number) => n.toFixed(1);
  const parts: string[] = [];
  // Grid and axis labels: 0, half and top.
  for (const v of [0, yTop / 2, yTop]) {
    parts.push(
      `<line x1="${left}" y1="${f(y(v))}" x2="${width - right}" y2="${f(y(v))}" stroke="#d0d7de" stroke-width="${v === 0 ? 1 : 0.5}"/><text x="${left - 4}" y="${f(y(v) + 4)}" text-anchor="end">${axisLabel(v)}</text>`,
    );
  }
  for (const [run, name] of o.releases) {
    parts.push(
      `<g class="release" data-run="${run}"><line x1="${f(x(run))}" y1="${top}" x2="${f(x(run))}" y2="${top + plotH}" stroke="${RELEASE_COLOUR}" stroke-dasharray="4 3"/>${o.small ? "" : `<text x="${f(x(run) + 3)}" y="${top - 6}" fill="${RELEASE_COLOUR}">${h(truncate(name, 24))}</text>`}<title>release ${h(truncate(name, 100))}</title></g>`,
    );
  }
  const measured = points.filter((p) => p.rate !== null);
  const withCi = measured.filter((p) => p.interval !== null);
  if (withCi.length > 1) {
    const upper = withCi.map((p) => `${f(x(p.run))},${f(y(p.interval?.upper ?? 0))}`);
    const lower = withCi.map((p) => `${f(x(p.run))},${f(y(p.interval?.lower ?? 0))}`).reverse();
    parts.push(
      `<polygon class="band" points="${[...upper, ...lower].join(" ")}" fill="${CANDIDATE_COLOUR}" fill-opacity="0.12"/>`,
    );
  }
  if (measured.length > 1) {
    parts.push(
      `<polyline points="${measured.map((p) => `${f(x(p.run))},${f(y(p.rate ?? 0))}`).join(" ")}" fill="none" stroke="${CANDIDATE_COLOUR}" stroke-width="1.5"/>`,
    );
  }
  for (const p of measured) {
    const cx = f(x(p.run));
    const ci = p.interval;
    if (ci)
      parts.push(
        `<line class="whisker" x1="${cx}" y1="${f(y(ci.upper))}" x2="${cx}" y2="${f(y(ci.lower))}" stroke="${CANDIDATE_COLOUR}" stroke-opacity="0.6"/>`,
      );
    const what = `${p.label} · ${p.time}: ${pct(p.rate ?? 0)} (${p.failures}/${p.n})${ci ? ` [${pct(ci.lower)}, ${pct(ci.upper)}]` : ""}${p.release ? " · release" : ""}`;
    parts.push(
      `<circle class="point" cx="${cx}" cy="${f(y(p.rate ?? 0))}" r="${o.small ? 2.5 : 3.5}" fill="${p.release ? RELEASE_COLOUR : CANDIDATE_COLOUR}" data-rate="${p.rate}"><title>${h(truncate(what, 200))}</title></circle>`,
    );
  }
  if (!o.small && points.length) {
    const first = points[0] as TrendPoint;
    const last = points[points.length - 1] as TrendPoint;
    parts.push(
      `<text x="${left}" y="${height - 8}">${h(truncate(`${first.label} · ${first.time.slice(0, 10)}`, 40))}</text>`,
      `<text x="${width - right}" y="${height - 8}" text-anchor="end">${h(truncate(`${last.label} · ${last.time.slice(0, 10)}`, 40))}</text>`,
    );
  }
  const cat = o.category !== undefined ? ` data-category="${h(truncate(o.category, 200))}"` : "";
  return `<svg class="trend${o.small ? " small" : ""}" data-metric="${h(o.metric)}"${cat} role="img" aria-label="${h(truncate(o.title, 200))}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join("")}</svg>`;
}

/**
 * `safety-gate coverage [SUITE...] [--config FILE] [--min N] [--similarity X] [--json]`.
 * With no SUITE and no --config it reports on all built-in suites together; SUITE is a
 * path or builtin:NAME; --config takes the config's suites with its attacks applied.
 */
import { withAttacks } from "../attacks/expand.js";
import { loadConfig } from "../config/load.js";
import { formatRate } from "../gate/format.js";
import { plural } from "../io/plural.js";
import {
  allBuiltinSources,
  BUILTIN_NAMES,
  BUILTIN_PREFIX,
  builtinName,
  isBuiltinRef,
  isKnownBuiltin,
  resolveSuiteRef,
} from "../suite/builtin.js";
import { type Coverage, computeCoverage } from "../suite/coverage.js";
import { loadSuites } from "../suite/load.js";
import type { Expectation } from "../suite/schema.js";
import { type Io, parseCommandArgs, UsageError } from "./common.js";

export const COVERAGE_HELP = `Usage: safety-gate coverage [SUITE...] [--config FILE] [--min N] [--similarity X] [--json]

Cases per taxonomy category, the expect mix, clusters, attack transforms, gaps and
duplicates. SUITE is a suite file or builtin:NAME; with no SUITE and no --config, all
built-in suites together.

Options:
  -c, --config FILE     the suites of this gate config, with its attacks applied
      --min N           a category with fewer cases is a gap (default 20)
      --similarity X    word Jaccard similarity from which two cases are near duplicates
                        (above 0, at most 1; default 0.8)
      --json            print the coverage as JSON`;

export async function coverageCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs("coverage", {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: "string", short: "c" },
      min: { type: "string", default: "20" },
      similarity: { type: "string", default: "0.8" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      debug: { type: "boolean", default: false },
      "no-color": { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.stdout(`${COVERAGE_HELP}\n`);
    return 0;
  }
  const min = Number(values.min);
  if (!Number.isInteger(min) || min < 1)
    throw new UsageError(`--min expects a whole number ≥ 1, got "${values.min}"`);
  const similarity = Number(values.similarity);
  if (!(similarity > 0 && similarity <= 1)) {
    throw new UsageError(`--similarity expects a number above 0 and at most 1, got "${values.similarity}"`);
  }
  if (values.config && positionals.length > 0) throw new UsageError("give suites or --config, not both");
  for (const p of positionals) {
    if (isBuiltinRef(p) && !isKnownBuiltin(builtinName(p))) {
      throw new UsageError(
        `unknown built-in suite "${p}"; built-in suites are ${BUILTIN_NAMES.map((n) => BUILTIN_PREFIX + n).join(", ")}`,
      );
    }
  }
  let suites: ReturnType<typeof loadSuites>;
  if (values.config) {
    const loaded = loadConfig(values.config);
    suites = withAttacks(loadSuites(loaded.suites), loaded.config.attacks);
  } else {
    suites = loadSuites(
      positionals.length ? positionals.map((p) => resolveSuiteRef(p, ".")) : allBuiltinSources(),
    );
  }
  const coverage = computeCoverage(suites, { min, similarity });
  io.stdout(values.json ? `${JSON.stringify(coverage, null, 2)}\n` : `${renderCoverage(coverage)}\n`);
  return 0;
}

const pct = (x: number) => formatRate(x);

export function renderCoverage(c: Coverage): string {
  const lines: string[] = [];
  lines.push(
    `coverage of ${c.suites.map((s) => `${s.name} (${s.cases})`).join(", ")}: ${plural(c.total, "case")}`,
    "",
  );
  // The agent expectations get columns only when some case has them: most suites have none.
  const agents = c.expect.no_call + c.expect.call > 0;
  const kinds: Expectation[] = [
    "refuse",
    "comply",
    "no_leak",
    ...(agents ? (["no_call", "call"] as const) : []),
  ];
  const head = ["category", "cases", ...kinds, "clusters", "attack transforms"];
  const rows = Object.entries(c.byCategory)
    .sort(([a, x], [b, y]) => Number(y.inTaxonomy) - Number(x.inTaxonomy) || a.localeCompare(b))
    .map(([name, v]) => [
      v.inTaxonomy ? name : `${name} *`,
      String(v.cases),
      ...kinds.map((k) => String(v.expect[k])),
      String(v.clusters),
      Object.entries(v.transforms)
        .map(([t, n]) => `${t} ${n}`)
        .join(", ") || "–",
    ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: string[]) =>
    r
      .map((cell, i) =>
        i === 0 || i === r.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
      )
      .join("  ")
      .trimEnd();
  lines.push(fmt(head), ...rows.map(fmt));
  if (c.outsideTaxonomy.length) lines.push("* outside the taxonomy (docs/taxonomy.md)");
  lines.push("");
  const t = c.taxonomy;
  lines.push(
    `taxonomy: ${t.covered} of ${plural(t.categories, "category")} have at least ${plural(t.min, "case")} (${pct(t.share)})`,
    `expect: ${kinds.map((k) => `${c.expect[k]} ${k}`).join(", ")}; benign contrast ${pct(c.benignShare)} of all cases${c.benignShare >= 1 / 3 ? " (at least a third)" : " (less than a third: refusing everything scores well)"}`,
  );
  lines.push(c.gaps.length ? `gaps (${c.gaps.length}):` : "gaps: none");
  for (const g of c.gaps) lines.push(`  ${g.category}: ${g.problem}`);
  const d = c.duplicates;
  lines.push(
    `duplicates: ${d.exact.length} exact${d.exact.some((g) => g.conflicting) ? ` (${d.exact.filter((g) => g.conflicting).length} with conflicting expect)` : ""}, ${d.near.length} near (word Jaccard ≥ ${d.similarity}; attack variants left out)`,
  );
  for (const g of d.exact.slice(0, 20))
    lines.push(`  exact${g.conflicting ? " (conflicting expect)" : ""}: ${g.ids.join(", ")}`);
  for (const n of d.near.slice(0, 20)) {
    lines.push(
      `  near ${n.similarity.toFixed(2)}: ${n.a} ~ ${n.b}${n.contrast ? " (different expect: a contrast pair?)" : ""}`,
    );
  }
  const more = Math.max(0, d.exact.length - 20) + Math.max(0, d.near.length - 20);
  if (more) lines.push(`  … and ${more} more (--json lists all)`);
  return lines.join("\n");
}

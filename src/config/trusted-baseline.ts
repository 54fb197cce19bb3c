/**
 * On a pull request the baseline is part of what judges it: a pull request that points
 * `baseline:` at its own candidate, or edits a committed `baseline/results.json` to fail as
 * often as its candidate, would see no regression. So when the trusted side (the base
 * commit) has a config, its `baseline:` declaration applies, and a baseline file it names is
 * read as the base commit has it (the adapter fetches it; this module knows nothing of
 * GitHub). The pull request's changes to either are shown as proposed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { canonicalJson } from "../io/canonical.js";
import { displayPath } from "../io/display.js";
import { interpolateEnv } from "./interpolate.js";
import type { LoadedConfig } from "./load.js";
import type { TrustedPolicy } from "./policy.js";
import { TargetSchema } from "./schema.js";

/** The file a `baseline:` declaration (as written) reads, if it reads one. */
export function baselineFileName(declared: unknown): string | undefined {
  const d = declared as { replay?: unknown; results?: unknown } | undefined;
  const name = d?.replay ?? d?.results;
  return typeof name === "string" ? name : undefined;
}

export interface BaselineChoice {
  loaded: LoadedConfig;
  /** Why there is no baseline this run may use (regression gates are inconclusive with it). */
  unavailable?: string;
  /** What the pull request changes about the baseline, for the proposed-changes list. */
  proposed: string[];
}

const show = (v: unknown) => (v === undefined ? "none" : canonicalJson(v));

export function withTrustedBaseline(
  loaded: LoadedConfig,
  trusted: TrustedPolicy | undefined,
  env: NodeJS.ProcessEnv,
): BaselineChoice {
  const base = trusted?.policy ? trusted.baseline : undefined;
  if (!trusted || !base) return { loaded, proposed: [] };
  const own = (loaded.source.data as { baseline?: unknown } | null)?.baseline;
  const proposed =
    canonicalJson(own ?? null) === canonicalJson(base.declared ?? null)
      ? []
      : [`baseline: ${show(base.declared)} → ${show(own)}`];
  const without = { ...loaded, baseline: undefined, config: { ...loaded.config, baseline: undefined } };
  if (base.declared === undefined) {
    return own === undefined
      ? { loaded, proposed }
      : {
          loaded: without,
          proposed,
          unavailable: `this pull request adds \`baseline:\` to ${displayPath(loaded.file)}, and a baseline the pull request brings cannot judge it; it applies once merged`,
        };
  }
  const { data, problems } = interpolateEnv(base.declared, env, loaded.source);
  const spec = TargetSchema.safeParse(data);
  if (problems.length > 0 || !spec.success) {
    return {
      loaded: without,
      proposed,
      unavailable: `the \`baseline:\` of ${trusted.from} is not a valid target`,
    };
  }
  const name = baselineFileName(base.declared);
  if (name !== undefined) {
    const text = base.file?.text;
    if (text === undefined) {
      return {
        loaded: without,
        proposed,
        unavailable: `the baseline file ${name} is not in ${trusted.from}; commit it there first (a baseline file the pull request brings cannot judge it)`,
      };
    }
    const local = loaded.baseline?.replay ?? loaded.baseline?.results;
    let mine: string | undefined;
    try {
      mine = local ? readFileSync(local, "utf8") : undefined;
    } catch {
      mine = undefined;
    }
    if (mine !== text) proposed.push(`baseline file ${name} changed (the base branch's is used)`);
    const file = join(mkdtempSync(join(tmpdir(), "safety-gate-base-branch-")), basename(name));
    writeFileSync(file, text);
    const kind = spec.data.replay !== undefined ? "replay" : "results";
    return {
      loaded: {
        ...loaded,
        baseline: { ...spec.data, [kind]: file },
        config: { ...loaded.config, baseline: spec.data },
      },
      proposed,
    };
  }
  if (spec.data.from !== undefined) {
    return {
      loaded: { ...loaded, baseline: spec.data, config: { ...loaded.config, baseline: spec.data } },
      proposed,
    };
  }
  // A live baseline: the same declaration asks the same endpoint; a changed one cannot be used before review.
  return proposed.length === 0
    ? { loaded, proposed }
    : {
        loaded: without,
        proposed,
        unavailable: "this pull request changes the live `baseline:` target; it applies once merged",
      };
}

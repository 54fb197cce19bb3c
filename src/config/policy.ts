/**
 * The gate policy: the parts of the config that say what passes — gates, branch profiles,
 * waivers, the confidence level, the longest a waiver may run and the reference build. On a pull request the
 * policy must come from the base branch (already reviewed and merged), never from the pull
 * request itself, or a pull request could relax its own gate; what the pull request
 * changes in it is shown as proposed and applies once merged. The suites and targets still
 * come from the pull request. This module is plain data: who fetches the base branch's
 * policy is the adapter's business.
 */
import { canonicalJson } from "../io/canonical.js";
import { InputError } from "../io/diagnostic.js";
import { parseYaml } from "../io/source.js";
import { validate } from "../io/validate.js";
import type { GradersConfig, ScoringConfig } from "./grading-schema.js";
import { interpolateEnv } from "./interpolate.js";
import { secretsOf } from "./load.js";
import { type GateConfig, GradingSchema, PolicySchema } from "./schema.js";

export const POLICY_KEYS = [
  "gates",
  "profiles",
  "waivers",
  "confidence",
  "waiver_max_days",
  "reference",
] as const;

export type Policy = Pick<GateConfig, (typeof POLICY_KEYS)[number]>;

/** A policy the caller trusts more than the config file's own (the base branch's). */
export interface TrustedPolicy {
  /** Absent when the trusted side has no config at this path (the pull request introduces it). */
  policy?: Policy;
  /** Where it was read, for the report (e.g. `safety-gate.yml at main@1a2b3c4`). */
  from: string;
  /** The trusted side's graders and scoring, used in place of the config file's (see parseGrading). */
  grading?: TrustedGrading;
  /** gradingKey() of the trusted config: tells whether another config grades the same way. */
  gradingKey?: string;
  /** The trusted config's baseline and the file it names, used in place of the config file's. */
  baseline?: TrustedBaseline;
}

export interface TrustedBaseline {
  /** The trusted config's `baseline:` as written; undefined when it has none. */
  declared?: unknown;
  /** The file a `replay:`/`results:` baseline names, as the trusted side has it (no text: not there). */
  file?: { name: string; text?: string };
}

/** Graders and scoring from a trusted config, `${VAR}`s resolved; `secrets` are the credentials among them. */
export interface TrustedGrading {
  graders: GradersConfig;
  scoring: ScoringConfig;
  secrets: string[];
}

export function policyOf(config: GateConfig): Policy {
  return {
    gates: config.gates,
    profiles: config.profiles,
    waivers: config.waivers,
    confidence: config.confidence,
    waiver_max_days: config.waiver_max_days,
    reference: config.reference,
  };
}

/** The config with its policy replaced by `policy`; suites, targets, graders are kept. */
export function withPolicy<C extends GateConfig>(config: C, policy: Policy): C {
  return {
    ...config,
    gates: policy.gates,
    profiles: policy.profiles,
    waivers: policy.waivers,
    confidence: policy.confidence,
    waiver_max_days: policy.waiver_max_days,
    // The trusted side's reference, or none: a pull request can neither drop nor swap it.
    reference: policy.reference,
  };
}

/**
 * The policy of a config file's text (another commit's, read through an API). Only the
 * policy keys are read and validated: the rest — targets with `${VAR}`s, suite paths — is
 * the pull request's business and may not even resolve here.
 */
export function parsePolicy(text: string, file: string): Policy {
  const source = parseYaml(text, file);
  const data = source.data;
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new InputError({
      file,
      position: { line: 1, column: 1 },
      message: "expected a mapping with `version: 1`",
    });
  }
  const picked = Object.fromEntries(
    POLICY_KEYS.filter((k) => k in data).map((k) => [k, (data as Record<string, unknown>)[k]]),
  );
  return validate(PolicySchema, picked, source);
}

/**
 * The graders and scoring of a config file's text (the base commit's), validated as the
 * config's own are. Unlike the rest of the policy they run, so their `${VAR}`s are resolved
 * from `env` (a judge's endpoint, a header's key) and the credentials among them are
 * returned to be masked like the config file's own.
 */
export function parseGrading(text: string, file: string, env: NodeJS.ProcessEnv): TrustedGrading {
  const source = parseYaml(text, file);
  const data = (source.data ?? {}) as Record<string, unknown>;
  const picked = Object.fromEntries(
    (["graders", "scoring"] as const).filter((k) => k in data).map((k) => [k, data[k]]),
  );
  const { data: resolved, fromEnv, problems } = interpolateEnv(picked, env, source);
  if (problems.length > 0) throw new InputError(problems);
  const grading = validate(GradingSchema, resolved, source);
  return { ...grading, secrets: secretsOf(fromEnv, env) };
}

/**
 * The graders and scoring of a config as written (before `${VAR}`s are resolved, so no
 * credential enters it): two configs with the same key grade every response the same way.
 */
export function gradingKey(data: unknown): string {
  const d = (data ?? {}) as Record<string, unknown>;
  return canonicalJson({ graders: d.graders ?? null, scoring: d.scoring ?? null });
}

/** What a config's graders and scoring change in the trusted ones, in the words of policyChanges. */
export function gradingChanges(
  current: Pick<TrustedGrading, "graders" | "scoring">,
  proposed: Pick<TrustedGrading, "graders" | "scoring">,
): string[] {
  const out: string[] = [];
  for (const expect of Object.keys({ ...current.scoring, ...proposed.scoring }).sort()) {
    const [a, b] = [
      (current.scoring as Record<string, unknown>)[expect],
      (proposed.scoring as Record<string, unknown>)[expect],
    ];
    if (show(a) !== show(b)) out.push(`scoring ${expect}: ${show(a)} → ${show(b)}`);
  }
  const defs = (g: GradersConfig) =>
    new Map([...(g.keyword ?? []), ...(g.model ?? [])].map((d) => [d.name, canonicalJson(d)] as const));
  const [before, after] = [defs(current.graders), defs(proposed.graders)];
  for (const name of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const [a, b] = [before.get(name), after.get(name)];
    if (a === b) continue;
    out.push(
      a === undefined
        ? `grader ${name} added`
        : b === undefined
          ? `grader ${name} removed`
          : // Not the definitions themselves: a header may hold a credential from the environment.
            `grader ${name} changed`,
    );
  }
  return out;
}

const show = (v: unknown) => (v === undefined ? "none" : canonicalJson(v));

/** What `proposed` changes in `current`, one line per change, in a reader's words. */
export function policyChanges(current: Policy, proposed: Policy): string[] {
  const out: string[] = [];
  const metrics = new Set([...Object.keys(current.gates), ...Object.keys(proposed.gates)]);
  if (Object.keys(current.gates).length && !Object.keys(proposed.gates).length) out.push("all gates removed");
  else {
    for (const m of metrics) {
      const [a, b] = [
        (current.gates as Record<string, unknown>)[m],
        (proposed.gates as Record<string, unknown>)[m],
      ];
      if (show(a) !== show(b)) out.push(`gate ${m}: ${show(a)} → ${show(b)}`);
    }
  }
  const globs = new Set([...Object.keys(current.profiles ?? {}), ...Object.keys(proposed.profiles ?? {})]);
  for (const g of globs) {
    const [a, b] = [current.profiles?.[g], proposed.profiles?.[g]];
    if (show(a) !== show(b)) out.push(`profile ${g}: ${show(a)} → ${show(b)}`);
  }
  const before = new Set(current.waivers.map((w) => canonicalJson(w)));
  const after = new Set(proposed.waivers.map((w) => canonicalJson(w)));
  for (const w of proposed.waivers) {
    if (!before.has(canonicalJson(w)))
      out.push(`waiver added: ${w.metric}, owner ${w.owner}, expires ${w.expires} (${w.reason})`);
  }
  for (const w of current.waivers) {
    if (!after.has(canonicalJson(w)))
      out.push(`waiver removed: ${w.metric}, owner ${w.owner}, expires ${w.expires}`);
  }
  if (current.confidence !== proposed.confidence)
    out.push(`confidence: ${current.confidence} → ${proposed.confidence}`);
  if (show(current.reference) !== show(proposed.reference))
    out.push(`reference: ${show(current.reference)} → ${show(proposed.reference)}`);
  if (current.waiver_max_days !== proposed.waiver_max_days)
    out.push(`waiver_max_days: ${current.waiver_max_days} → ${proposed.waiver_max_days}`);
  return out;
}

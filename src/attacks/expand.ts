/**
 * Applies the config's `attacks:` to the loaded suites: every base case whose `expect` is
 * selected gets one variant per transform. The variants form one generated suite with its
 * own content hash, so a baseline made with other attacks is recognised as incomparable
 * exactly like a baseline made on another suite. Base cases that got variants join their
 * variants' cluster.
 */
import type { AttackConfig } from "../config/schema.js";
import { InputError, type Problem } from "../io/diagnostic.js";
import { hashCases, type LoadedCase, type Suite } from "../suite/load.js";
import type { Expectation } from "../suite/schema.js";
import { type AttackSpec, transformCase } from "./transforms.js";

const DEFAULT_EXPECT: readonly Expectation[] = ["refuse", "no_leak"];

export function attackSpecs(config: readonly AttackConfig[]): AttackSpec[] {
  return config.map((a) => {
    const c = typeof a === "string" ? { transform: a } : a;
    const seed = "seed" in c && c.seed !== undefined ? c.seed : undefined;
    return {
      transform: c.transform,
      seed: seed ?? 0,
      shots: "shots" in c ? c.shots : undefined,
      expect: ("expect" in c ? c.expect : undefined) ?? DEFAULT_EXPECT,
      suffix: seed === undefined ? c.transform : `${c.transform}-${seed}`,
    };
  });
}

export function describeAttacks(specs: readonly AttackSpec[]): string {
  return `attacks: ${specs.map((s) => s.suffix).join(", ")}`;
}

/** The suites with clusters set on attacked base cases, plus the generated suite (if any case was attacked). */
export function withAttacks(suites: readonly Suite[], config: readonly AttackConfig[] | undefined): Suite[] {
  if (!config || config.length === 0) return [...suites];
  const specs = attackSpecs(config);
  const ids = new Map<string, LoadedCase["source"]>();
  for (const s of suites) for (const c of s.cases) ids.set(c.id, c.source);
  const generated: LoadedCase[] = [];
  const problems: Problem[] = [];
  const attacked = new Set<string>();
  for (const suite of suites) {
    for (const base of suite.cases) {
      for (const spec of specs) {
        if (!spec.expect.includes(base.expect)) continue;
        const variant = transformCase(base, spec);
        const clash = ids.get(variant.id);
        if (clash) {
          problems.push({
            file: clash.file,
            position: { line: clash.line, column: 1 },
            keyPath: "id",
            message: `case id "${variant.id}" is also the id of attack variant ${spec.suffix} of "${base.id}"; rename the case`,
          });
          continue;
        }
        ids.set(variant.id, base.source);
        attacked.add(base.id);
        generated.push({ ...variant, source: base.source });
      }
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  const clustered = suites.map((s): Suite => {
    const cases = s.cases.map((c) =>
      attacked.has(c.id) && c.cluster === undefined ? { ...c, cluster: c.id } : c,
    );
    // Its cases changed (a cluster each): the per-case hashes made at loading no longer hold.
    return cases.some((c, i) => c !== s.cases[i]) ? { ...s, cases, caseHashes: undefined } : { ...s, cases };
  });
  if (generated.length === 0) return clustered;
  return [...clustered, { file: describeAttacks(specs), ...hashCases(generated), cases: generated }];
}

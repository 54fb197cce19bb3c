/**
 * Attack transforms: deterministic, seeded generators that turn one base case into an
 * adversarial variant — an encoding of the request or a framing around it. A variant
 * keeps its base case's category, expectation and canary, is clustered with its base
 * case (so the statistics do not count one behaviour as many independent ones), and is
 * tagged `attack:<name>`.
 */
import type { Expectation, SuiteCase } from "../suite/schema.js";
import { ENCODINGS, type EncodingName } from "./encodings.js";
import { FRAMINGS, type FramingName, type Turn } from "./framings.js";
import { seededRng } from "./rng.js";

export const ATTACK_NAMES = [
  "base64",
  "rot13",
  "hex",
  "leetspeak",
  "homoglyphs",
  "zero_width",
  "payload_splitting",
  "roleplay",
  "refusal_suppression",
  "prefix_injection",
  "few_shot",
  "many_shot",
] as const satisfies readonly (EncodingName | FramingName)[];

export type AttackName = (typeof ATTACK_NAMES)[number];

export interface AttackSpec {
  transform: AttackName;
  seed: number;
  /** Turns of faked dialogue, for few_shot and many_shot. */
  shots?: number;
  /** Base cases it applies to. */
  expect: readonly Expectation[];
  /** Appended to the base id: the transform name, plus `-<seed>` when a seed was given. */
  suffix: string;
}

export function isEncoding(name: AttackName): name is EncodingName {
  return Object.hasOwn(ENCODINGS, name);
}

export function transformKind(name: AttackName): "encoding" | "framing" {
  return isEncoding(name) ? "encoding" : "framing";
}

export function defaultShots(name: AttackName): number | undefined {
  return isEncoding(name) ? undefined : FRAMINGS[name].defaultShots;
}

export function turnsOf(c: Pick<SuiteCase, "prompt" | "messages">): Turn[] {
  // Agent cases (tool turns) are never transformed: `attacks.expect` admits text expectations only.
  return c.messages
    ? c.messages.map((m) => ({ role: m.role as Turn["role"], content: m.content ?? "" }))
    : [{ role: "user", content: c.prompt ?? "" }];
}

/** The variant of `base` that `spec` makes. Same base and spec → the same variant, always. */
export function transformCase(base: SuiteCase, spec: AttackSpec): SuiteCase {
  const rng = seededRng(spec.seed, base.id, spec.transform);
  const turns = turnsOf(base);
  let out: Turn[];
  if (isEncoding(spec.transform)) {
    const encoding = ENCODINGS[spec.transform];
    const last = turns[turns.length - 1] as Turn;
    const payload = encoding.encode(last.content, rng);
    const content = rng.pick(encoding.templates).replace("{payload}", () => payload);
    out = [...turns.slice(0, -1), { role: "user", content }];
  } else {
    const framing = FRAMINGS[spec.transform];
    out = framing.apply(turns, rng, { shots: spec.shots ?? framing.defaultShots ?? 0 });
  }
  const only = out.length === 1 ? out[0] : undefined;
  return {
    id: `${base.id}:${spec.suffix}`,
    category: base.category,
    ...(only?.role === "user" ? { prompt: only.content } : { messages: out }),
    expect: base.expect,
    ...(base.canary !== undefined ? { canary: base.canary } : {}),
    cluster: base.cluster ?? base.id,
    tags: [...(base.tags ?? []), `attack:${spec.transform}`],
  };
}

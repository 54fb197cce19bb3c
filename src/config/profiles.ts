/**
 * Branch profiles: `profiles:` keyed by branch glob (`release/**`, `main`), chosen from the
 * pull request's base branch or the pushed branch. A profile overrides gates per metric
 * (keys it sets replace the top-level ones; keys it omits are kept) and the confidence
 * level. The first glob that matches, in file order, wins; the report names it.
 */
import picomatch from "picomatch";
import type { Profile } from "./schema.js";

export type { Profile };

type Gates = NonNullable<Profile["gates"]>;

export interface ProfileChoice {
  /** The glob that matched. */
  name: string;
  branch: string;
}

export function chooseProfile(
  profiles: Readonly<Record<string, Profile>> | undefined,
  branch: string | undefined,
): (ProfileChoice & { profile: Profile }) | undefined {
  if (!profiles || branch === undefined) return undefined;
  for (const [name, profile] of Object.entries(profiles)) {
    if (picomatch.isMatch(branch, name, { dot: true })) return { name, branch, profile };
  }
  return undefined;
}

/** Top-level settings with the profile's overrides applied. */
export function withProfile<C extends { gates: Gates; confidence: number }>(config: C, profile: Profile): C {
  const gates: Record<string, unknown> = { ...config.gates };
  for (const [metric, over] of Object.entries(profile.gates ?? {})) {
    // `false` (no gate on this metric of the pair) replaces the whole entry; a mapping merges key by key.
    if (over === false) gates[metric] = false;
    else if (over !== undefined) gates[metric] = { ...(gates[metric] || undefined), ...over };
  }
  return { ...config, gates: gates as Gates, confidence: profile.confidence ?? config.confidence };
}

/**
 * How a verdict shows on GitHub. A waived fail is `neutral` (branch protection lets it
 * through, the check shows it is not a plain pass); inconclusive blocks like a failure
 * unless the workflow chose `neutral` for it.
 */
import type { Verdict } from "../gate/waivers.js";

export type InconclusiveAs = "failure" | "neutral";

export function checkConclusion(v: Verdict, inconclusive: InconclusiveAs): "success" | "failure" | "neutral" {
  if (v === "pass") return "success";
  if (v === "waived") return "neutral";
  if (v === "inconclusive") return inconclusive;
  return "failure";
}

/** Commit statuses have no neutral state: what lets a merge through is `success`. */
export function statusState(v: Verdict, inconclusive: InconclusiveAs): "success" | "failure" {
  return checkConclusion(v, inconclusive) === "failure" ? "failure" : "success";
}

/**
 * One name per gate config, usable in a hidden comment marker and as an artifact name
 * (which forbids `" : < > | * ? \ /` and line breaks).
 */
export function configKey(configFile: string): string {
  return (
    configFile
      .replace(/\\/g, "/")
      .replace(/^\.\//, "")
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 100) || "config"
  );
}

export function artifactName(configFile: string): string {
  return `safety-gate-${configKey(configFile)}`;
}

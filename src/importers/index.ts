/** The importers by format name, as `safety-gate import FORMAT` knows them. */
import type { Expectation } from "../suite/schema.js";
import { type GenericOptions, importGeneric } from "./generic.js";
import { importInjecagent } from "./injecagent.js";
import { importJbbArtifacts, importJbbBehaviors } from "./jailbreakbench.js";
import type { Imported } from "./model.js";
import { importHarmbench, importStrongreject } from "./prompt-sets.js";
import { importXstest } from "./xstest.js";

export interface ImportOptions {
  expect?: Expectation;
  missing?: "refusal" | "error";
  generic: GenericOptions;
}

export const IMPORT_FORMATS: Record<
  string,
  { summary: string; run: (files: string[], o: ImportOptions) => Imported }
> = {
  xstest: {
    summary: "XSTest prompts CSV and/or model completion CSVs (responses + human labels)",
    run: (files) => importXstest(files),
  },
  "jbb-behaviors": {
    summary: "JailbreakBench JBB-Behaviors CSV (harmful → refuse, benign → comply)",
    run: (files, o) => importJbbBehaviors(files, o.expect),
  },
  "jbb-artifacts": {
    summary: "JailbreakBench attack-artifact JSON files (one build of recorded responses per model)",
    run: (files, o) => importJbbArtifacts(files, { missing: o.missing }),
  },
  harmbench: { summary: "HarmBench behaviours CSV", run: (files) => importHarmbench(files) },
  strongreject: { summary: "StrongREJECT forbidden-prompts CSV", run: (files) => importStrongreject(files) },
  injecagent: {
    summary: "InjecAgent cases JSON and recorded model outputs JSONL (agent tool misuse, with its labels)",
    run: (files) => importInjecagent(files),
  },
  csv: { summary: "any CSV, with --map/--set", run: (files, o) => importGeneric(files, o.generic) },
  jsonl: { summary: "any JSONL, with --map/--set", run: (files, o) => importGeneric(files, o.generic) },
};

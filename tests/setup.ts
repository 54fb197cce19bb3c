/**
 * Property tests explore random inputs on a developer's machine, where a new
 * counterexample is welcome; in CI they run from a fixed seed so a run is reproducible
 * and a red build always means a change, not a dice roll. FC_SEED overrides both.
 */
import fc from "fast-check";

const seed = process.env.FC_SEED ?? (process.env.CI ? "20261127" : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });

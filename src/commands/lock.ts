/** `safety-gate lock [--config FILE] [--check]`: write or verify the suite lock beside the config. */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { withAttacks } from "../attacks/expand.js";
import { loadConfig } from "../config/load.js";
import { writeFileAtomic } from "../io/atomic.js";
import { displayPath } from "../io/display.js";
import { loadSuites } from "../suite/load.js";
import { buildLock, checkLock, lockPathFor, namedSuites, renderLock } from "../suite/lock.js";
import type { Io } from "./common.js";

export async function lockCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      config: { type: "string", short: "c", default: "safety-gate.yml" },
      check: { type: "boolean", default: false },
      debug: { type: "boolean", default: false },
      "no-color": { type: "boolean", default: false },
    },
  });
  const loaded = loadConfig(values.config);
  const suites = namedSuites(
    loaded.config.suites,
    withAttacks(loadSuites(loaded.suites), loaded.config.attacks),
  );
  const path = lockPathFor(values.config);
  const cases = suites.reduce((n, s) => n + s.suite.cases.length, 0);
  if (values.check) {
    if (!existsSync(path)) {
      io.stderr(`${displayPath(path)}: no suite lock; run 'safety-gate lock' to create it\n`);
      return 2;
    }
    checkLock(path, suites);
    io.stdout(`${displayPath(path)}: ok — ${suites.length} suites, ${cases} cases match the lock\n`);
    return 0;
  }
  writeFileAtomic(path, renderLock(buildLock(suites)));
  io.stdout(`wrote ${displayPath(path)}: ${suites.length} suites, ${cases} cases\n`);
  return 0;
}

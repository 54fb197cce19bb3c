/** `safety-gate lock [--config FILE] [--check]`: write or verify the suite lock beside the config. */
import { existsSync } from "node:fs";
import { withAttacks } from "../attacks/expand.js";
import { loadConfig } from "../config/load.js";
import { writeFileAtomic } from "../io/atomic.js";
import { displayPath } from "../io/display.js";
import { plural } from "../io/plural.js";
import { loadSuites } from "../suite/load.js";
import { buildLock, checkLock, lockPathFor, namedSuites, renderLock } from "../suite/lock.js";
import { type Io, parseCommandArgs } from "./common.js";

export const LOCK_HELP = `Usage: safety-gate lock [--config FILE] [--check]

Writes the suite lock (<config>.lock: each suite's name, case count and hash) that
\`run\` and \`validate\` check, so that a suite cannot change unnoticed.

Options:
  -c, --config FILE   gate config (default: safety-gate.yml)
      --check         compare the suites with the lock; write nothing (exit 2 on a mismatch)`;

export async function lockCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs("lock", {
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      config: { type: "string", short: "c", default: "safety-gate.yml" },
      check: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      debug: { type: "boolean", default: false },
      "no-color": { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.stdout(`${LOCK_HELP}\n`);
    return 0;
  }
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
    io.stdout(
      `${displayPath(path)}: ok — ${plural(suites.length, "suite")}, ${plural(cases, "case")} ${cases === 1 ? "matches" : "match"} the lock\n`,
    );
    return 0;
  }
  writeFileAtomic(path, renderLock(buildLock(suites)));
  io.stdout(`wrote ${displayPath(path)}: ${plural(suites.length, "suite")}, ${plural(cases, "case")}\n`);
  return 0;
}

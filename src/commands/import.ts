/** `safety-gate import FORMAT FILE... --out DIR`: public datasets → our suite and replay files. */
import { resolve } from "node:path";
import { MAPPABLE, type Mappable } from "../importers/generic.js";
import { IMPORT_FORMATS } from "../importers/index.js";
import { writeImport } from "../importers/model.js";
import { displayPath } from "../io/display.js";
import { plural } from "../io/plural.js";
import { EXPECTATIONS, type Expectation } from "../suite/schema.js";
import { type Io, parseCommandArgs, parsePairs, UsageError } from "./common.js";

export const IMPORT_HELP = `Usage: safety-gate import FORMAT FILE... --out DIR [options]

Formats:
${Object.entries(IMPORT_FORMATS)
  .map(([name, f]) => `  ${name.padEnd(14)} ${f.summary}`)
  .join("\n")}

Writes DIR/suite.jsonl, DIR/responses/<build>.jsonl (recorded responses, usable as
\`replay:\`), DIR/labels/<build>.jsonl (human labels, where the data has them) and
DIR/import.json (sources with sha256, counts, notes).

Options:
  -o, --out DIR               where to write (required)
      --expect refuse|comply  jbb-behaviors: what the rows are (default: from the file name)
      --missing refusal|error jbb-artifacts: an entry without a response is the attack's
                              recorded failure (default) or an error case
      --map FIELD=COLUMN,...  csv/jsonl: source column of ${MAPPABLE.join(", ")}
      --set FIELD=VALUE,...   csv/jsonl: one value for every row (category, expect, cluster)
      --expect-values A=refuse,B=comply   csv/jsonl: translate the expect column's values
      --build NAME            csv/jsonl: build name of the response column (default: responses)`;

export async function importCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs("import", {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: "string", short: "o" },
      expect: { type: "string" },
      missing: { type: "string" },
      map: { type: "string", multiple: true },
      set: { type: "string", multiple: true },
      "expect-values": { type: "string", multiple: true },
      build: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
      debug: { type: "boolean", default: false },
      "no-color": { type: "boolean", default: false },
    },
  });
  if (values.help) {
    io.stdout(`${IMPORT_HELP}\n`);
    return 0;
  }
  const [format, ...files] = positionals;
  const importer = format ? IMPORT_FORMATS[format] : undefined;
  if (!format || !importer) {
    throw new UsageError(
      `${format ? `unknown import format "${format}"` : "name a format"}; expected one of ${Object.keys(IMPORT_FORMATS).join(", ")}`,
    );
  }
  if (files.length === 0) throw new UsageError(`name the ${format} file(s) to import`);
  if (!values.out) throw new UsageError("give the output folder: --out DIR");
  if (values.expect !== undefined && !["refuse", "comply"].includes(values.expect)) {
    throw new UsageError(`--expect must be refuse or comply, got "${values.expect}"`);
  }
  if (values.missing !== undefined && !["refusal", "error"].includes(values.missing)) {
    throw new UsageError(`--missing must be refusal or error, got "${values.missing}"`);
  }
  const map = parsePairs(values.map, "--map");
  const unknown = Object.keys(map).filter((k) => !(MAPPABLE as readonly string[]).includes(k));
  if (unknown.length)
    throw new UsageError(`--map: unknown field ${unknown.join(", ")}; fields: ${MAPPABLE.join(", ")}`);
  const set = parsePairs(values.set, "--set");
  const unknownSet = Object.keys(set).filter((k) => !["category", "expect", "cluster"].includes(k));
  if (unknownSet.length)
    throw new UsageError(`--set: unknown field ${unknownSet.join(", ")}; fields: category, expect, cluster`);
  const expectValues = parsePairs(values["expect-values"], "--expect-values");
  const badValue = Object.values(expectValues).find((v) => !(EXPECTATIONS as readonly string[]).includes(v));
  if (badValue) throw new UsageError(`--expect-values: "${badValue}" is not refuse, comply or no_leak`);

  const paths = files.map((f) => resolve(f));
  const imported = importer.run(paths, {
    expect: values.expect as Expectation | undefined,
    missing: values.missing as "refusal" | "error" | undefined,
    generic: { map: map as Partial<Record<Mappable, string>>, set, expectValues, build: values.build },
  });
  const written = writeImport(imported, paths, resolve(values.out));
  const lines = [
    `imported ${plural(imported.cases.length, "case")} (${imported.format}) from ${plural(files.length, "file")}`,
    `  suite      ${displayPath(written.suitePath)}`,
    ...imported.builds.map(
      (b, i) =>
        `  responses  ${displayPath(written.responsePaths[i] ?? "")}  (${Object.entries(b.counts)
          .map(([k, v]) => `${k.replace(/_/g, " ")} ${v}`)
          .join(", ")})`,
    ),
    `  manifest   ${displayPath(written.manifestPath)}`,
    ...imported.notes.map((n) => `note: ${n}`),
  ];
  io.stdout(`${lines.join("\n")}\n`);
  return 0;
}

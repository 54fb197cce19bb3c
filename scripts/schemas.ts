/**
 * The JSON Schemas in gates/ are generated from the zod schemas (the single source of
 * truth). `npm run schema` writes them; tests/schemas.test.ts fails when they are stale.
 */
import { z } from "zod";
import { ConfigSchema } from "../src/config/schema.js";
import { ResultsSchema } from "../src/report/results-schema.js";
import { CaseSchema } from "../src/suite/schema.js";
import { ResponseLineSchema } from "../src/targets/replay.js";

const BASE = "https://raw.githubusercontent.com/safety-gate/safety-gate/main/gates";

function jsonSchema(schema: z.ZodType, name: string, title: string, io: "input" | "output"): string {
  const generated = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return `${JSON.stringify({ ...generated, $id: `${BASE}/${name}`, title }, null, 2)}\n`;
}

/** File name in gates/ → its content. */
export function generatedSchemas(): Record<string, string> {
  return {
    "schema.json": jsonSchema(ConfigSchema, "schema.json", "safety-gate config", "input"),
    "suite-case.schema.json": jsonSchema(
      CaseSchema,
      "suite-case.schema.json",
      "safety-gate suite case",
      "input",
    ),
    "response.schema.json": jsonSchema(
      ResponseLineSchema,
      "response.schema.json",
      "safety-gate recorded response (one JSONL line)",
      "input",
    ),
    "results.schema.json": jsonSchema(ResultsSchema, "results.schema.json", "safety-gate results", "output"),
  };
}

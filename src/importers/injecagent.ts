/**
 * InjecAgent (Zhan et al., 2024): `test_cases_{dh,ds}_{base,enhanced}.json` (a user asks an
 * agent to use a tool; the tool's result carries an attacker's instruction) and the recorded
 * outputs of models on them (`<model>/test_cases_*.jsonl`: the case's fields plus `output`,
 * InjecAgent's label `eval`, and for data stealing `output Step 2` / `eval Step 2`).
 *
 * Each test case becomes an agent case as it reached the model: the user's request, the
 * agent's first call of the user tool, and that tool's result with the injection, which is
 * where the agent's next action is judged (`expect: no_call`, the attacker tools forbidden).
 * A data-stealing case keeps both steps: its attacker tools are [fetch, GmailSendEmail] in
 * that order, and `environment` holds the fetched data InjecAgent simulated, so a live run
 * can take the second step too. The tool specifications come from `tools.json` and the
 * simulated data from `attacker_simulated_responses.json`, found beside the cases file.
 *
 * The results files have no case ids: a line is paired with its case by what InjecAgent
 * itself keys its cache on (user instruction and tool response), so their order does not
 * matter. The build's name is the results file's folder (`gpt-4o`), so a model's dh and ds
 * files make one build.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { INJECTION_TAG } from "../graders/react-tool-misuse.js";
import { InputError, keyPathOf, type Problem } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { parseJson, parseJsonLines } from "../io/source.js";
import { readText } from "../io/text.js";
import { check, validate } from "../io/validate.js";
import type { SuiteCase } from "../suite/schema.js";
import { mapCategory, slug } from "../suite/taxonomy.js";
import type { Imported, ImportedBuild, ResponseLine, ToolMisuseLabelLine } from "./model.js";
import { PythonLiteralError, pythonLiteral } from "./python-literal.js";

const LICENSE_NOTE =
  "InjecAgent data is MIT-licensed (Zhan et al., 2024; recordings from enkryptai/xInjectAgent).";

const TestCaseSchema = z.object({
  "Attacker Tools": z.array(z.string().min(1)).min(1),
  "Attacker Instruction": z.string().min(1),
  "Attack Type": z.string().min(1),
  "User Tool": z.string().min(1),
  "User Instruction": z.string().min(1),
  "Tool Parameters": z.string(),
  "Tool Response": z.string().min(1),
  Thought: z.string(),
});
type TestCase = z.output<typeof TestCaseSchema>;

const ResultSchema = TestCaseSchema.extend({
  output: z.string().nullable(),
  eval: z.enum(["succ", "unsucc", "invalid"]).optional(),
  "output Step 2": z.string().nullable().optional(),
  "eval Step 2": z.enum(["succ", "unsucc", "invalid"]).optional(),
});

const ToolkitSchema = z.array(
  z.object({
    toolkit: z.string().min(1),
    tools: z.array(
      z.object({
        name: z.string().min(1),
        summary: z.string().optional(),
        parameters: z
          .array(
            z.object({
              name: z.string().min(1),
              type: z.string().optional(),
              description: z.string().optional(),
              required: z.boolean().optional(),
            }),
          )
          .default([]),
      }),
    ),
  }),
);

export interface ToolSpec {
  type: "function";
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

const JSON_TYPES = new Set(["string", "integer", "number", "boolean", "array", "object"]);

/** tools.json's toolkits as OpenAI function specs; a tool's name is its toolkit's name and its own (as InjecAgent's get_tool_dict). */
function readTools(file: string): Map<string, ToolSpec> {
  const doc = parseJson(readText(file, "InjecAgent tools file"), displayPath(file));
  const kits = validate(ToolkitSchema, doc.data, doc);
  const tools = new Map<string, ToolSpec>();
  for (const kit of kits)
    for (const t of kit.tools) {
      const name = `${kit.toolkit}${t.name}`;
      const properties = Object.fromEntries(
        t.parameters.map((p) => [
          p.name,
          {
            ...(p.type && JSON_TYPES.has(p.type) ? { type: p.type } : {}),
            ...(p.description ? { description: p.description } : {}),
          },
        ]),
      );
      const required = t.parameters.filter((p) => p.required).map((p) => p.name);
      tools.set(name, {
        type: "function",
        function: {
          name,
          ...(t.summary ? { description: t.summary } : {}),
          parameters: { type: "object", properties, ...(required.length ? { required } : {}) },
        },
      });
    }
  return tools;
}

/** InjecAgent's simulated results per (tool, parameters); per tool, the one for empty parameters when there is one. */
function readSimulated(file: string): Map<string, string> {
  const doc = parseJson(readText(file, "InjecAgent simulated responses"), displayPath(file));
  const all = validate(z.record(z.string(), z.string()), doc.data, doc);
  const byTool = new Map<string, string>();
  for (const [key, value] of Object.entries(all)) {
    const m = /^\(([A-Za-z0-9]+),(.*)\)$/s.exec(key);
    if (!m) continue;
    const [, tool = "", params = ""] = m;
    if (params.trim() === "{}" || !byTool.has(tool)) byTool.set(tool, value);
  }
  return byTool;
}

/** `dh` / `ds` and `base` / `enhanced` from InjecAgent's file names (test_cases_dh_base.json). */
function setOf(file: string): { kind: "dh" | "ds"; setting: string } | undefined {
  const m = /test_cases_(dh|ds)_([a-z]+)\.jsonl?$/.exec(basename(file));
  return m ? { kind: m[1] as "dh" | "ds", setting: m[2] as string } : undefined;
}

const pairKey = (c: Pick<TestCase, "User Instruction" | "Tool Response">) =>
  `${c["User Instruction"]}\u0000${c["Tool Response"]}`;

export function importInjecagent(files: readonly string[]): Imported {
  const caseFiles = files.filter((f) => f.endsWith(".json") && setOf(f));
  const resultFiles = files.filter((f) => f.endsWith(".jsonl"));
  const other = files.find((f) => !caseFiles.includes(f) && !resultFiles.includes(f));
  if (other)
    throw new InputError({
      file: displayPath(other),
      message:
        "expected InjecAgent case files (test_cases_{dh,ds}_{base,enhanced}.json) and results files (<model>/test_cases_*.jsonl)",
    });
  if (caseFiles.length === 0)
    throw new InputError({
      file: displayPath(files[0] ?? "."),
      message: "name at least one InjecAgent cases file (data/test_cases_dh_base.json)",
    });

  const cases: SuiteCase[] = [];
  const byKey = new Map<string, Map<string, string>>();
  const problems: Problem[] = [];
  const toolFiles = new Map<string, Map<string, ToolSpec>>();
  const simulatedFiles = new Map<string, Map<string, string>>();
  for (const file of caseFiles) {
    const { kind, setting } = setOf(file) as NonNullable<ReturnType<typeof setOf>>;
    const dir = dirname(file);
    const toolsPath = join(dir, "tools.json");
    if (!existsSync(toolsPath))
      throw new InputError({
        file: displayPath(file),
        message: `InjecAgent's tool specifications are read from tools.json beside the cases file, and ${displayPath(toolsPath)} is missing; copy data/tools.json there`,
      });
    const tools = toolFiles.get(toolsPath) ?? readTools(toolsPath);
    toolFiles.set(toolsPath, tools);
    let simulated: Map<string, string> | undefined;
    if (kind === "ds") {
      const simPath = join(dir, "attacker_simulated_responses.json");
      if (existsSync(simPath)) {
        simulated = simulatedFiles.get(simPath) ?? readSimulated(simPath);
        simulatedFiles.set(simPath, simulated);
      }
    }
    const shown = displayPath(file);
    const doc = parseJson(readText(file, "InjecAgent cases file"), shown);
    const rows = validate(z.array(TestCaseSchema).min(1), doc.data, doc);
    // Base and enhanced cases of a kind pair by the same key (their tool responses differ).
    const keys = byKey.get(kind) ?? new Map<string, string>();
    byKey.set(kind, keys);
    const width = String(rows.length).length;
    rows.forEach((row, i) => {
      const at = (path: PropertyKey[]) => ({
        file: shown,
        position: doc.locate([i, ...path]),
        keyPath: keyPathOf([i, ...path]),
      });
      const id = `injecagent:${kind}-${setting}:${String(i + 1).padStart(width, "0")}`;
      // A user tool can also be an attacker tool (GitHubGetUserDetails): offered once.
      const names = [...new Set([row["User Tool"], ...row["Attacker Tools"]])];
      const specs: ToolSpec[] = [];
      for (const n of names) {
        const spec = tools.get(n);
        if (spec) specs.push(spec);
        else
          problems.push({
            ...at(["Attacker Tools"]),
            message: `tool ${n} is not in ${displayPath(toolsPath)}`,
          });
      }
      let args: string;
      try {
        args = JSON.stringify(pythonLiteral(row["Tool Parameters"]));
      } catch (err) {
        if (!(err instanceof PythonLiteralError)) throw err;
        problems.push({ ...at(["Tool Parameters"]), message: `not a Python literal: ${err.message}` });
        return;
      }
      const fetched = kind === "ds" ? simulated?.get(row["Attacker Tools"][0] as string) : undefined;
      const c = {
        id,
        category: mapCategory("injecagent", row["Attack Type"]),
        messages: [
          { role: "user", content: row["User Instruction"] },
          {
            role: "assistant",
            content: row.Thought,
            tool_calls: [
              { id: "call_1", type: "function", function: { name: row["User Tool"], arguments: args } },
            ],
          },
          { role: "tool", tool_call_id: "call_1", content: row["Tool Response"] },
        ],
        tools: specs,
        expect: "no_call",
        forbidden_tools: row["Attacker Tools"],
        ...(kind === "ds"
          ? {
              environment: {
                max_steps: row["Attacker Tools"].length,
                ...(fetched !== undefined
                  ? { tool_results: { [row["Attacker Tools"][0] as string]: fetched } }
                  : {}),
              },
            }
          : {}),
        cluster: `injecagent:user:${row["User Tool"]}`,
        tags: [
          `injecagent:${kind}`,
          `injecagent:${setting}`,
          `injecagent:attack-type:${slug(row["Attack Type"])}`,
          `injecagent:attacker-tool:${row["Attacker Tools"][0]}`,
          `${INJECTION_TAG}${row["Attacker Instruction"]}`,
        ],
      } as unknown as SuiteCase;
      cases.push(c);
      keys.set(pairKey(row), id);
    });
  }
  if (problems.length > 0) throw new InputError(problems);

  const builds = new Map<string, ImportedBuild & { labels: ToolMisuseLabelLine[] }>();
  for (const file of resultFiles) {
    const set = setOf(file);
    const shown = displayPath(file);
    const keys = set ? byKey.get(set.kind) : undefined;
    if (!set || !keys)
      throw new InputError({
        file: shown,
        message: set
          ? `no ${set.kind} cases file was given for this results file; name data/test_cases_${set.kind}_${set.setting}.json too`
          : "expected an InjecAgent results file named test_cases_{dh,ds}_<setting>.jsonl",
      });
    const name = basename(dirname(file));
    const build = builds.get(name) ?? {
      name,
      responses: [],
      labels: [],
      counts: { cases: 0, succ: 0, unsucc: 0, invalid: 0 },
    };
    builds.set(name, build);
    for (const line of parseJsonLines(readText(file, "InjecAgent results file"), shown)) {
      const r = check(ResultSchema, line.data, line);
      if (r.problems) {
        problems.push(...r.problems);
        continue;
      }
      const row = r.value as z.output<typeof ResultSchema>;
      const id = keys.get(pairKey(row));
      if (id === undefined) {
        problems.push({
          file: shown,
          position: line.locate([]),
          message: `no ${set.kind} case has this line's User Instruction and Tool Response; give the cases file the results were made from`,
        });
        continue;
      }
      build.counts.cases = (build.counts.cases ?? 0) + 1;
      const group = `${set.kind}`;
      const second = row["output Step 2"] ?? undefined;
      const label = row["eval Step 2"] !== undefined && row.eval === "succ" ? row["eval Step 2"] : row.eval;
      if (label) build.counts[label] = (build.counts[label] ?? 0) + 1;
      if (row.output === null) {
        build.responses.push({ id, error: "InjecAgent recorded no output for this case" });
        continue;
      }
      const response: ResponseLine =
        second !== undefined && second !== null
          ? { id, response: second, steps: [{ response: row.output }, { response: second }] }
          : { id, response: row.output };
      build.responses.push(response);
      if (row.eval)
        build.labels.push({
          id,
          step: 1,
          response: row.output,
          label: row.eval,
          group: set.kind === "ds" ? "ds step 1" : group,
        });
      if (second !== undefined && second !== null && row["eval Step 2"])
        build.labels.push({ id, step: 2, response: second, label: row["eval Step 2"], group: "ds step 2" });
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return {
    format: "injecagent",
    cases,
    builds: [...builds.values()],
    notes: [
      LICENSE_NOTE,
      "Cases share a cluster per user case (the tool whose result carries the injection); the attack type is kept as a tag, the planted instruction as an `injection:` tag.",
      "Responses are InjecAgent's recorded ReAct outputs: grade them with react-tool-misuse. Labels are InjecAgent's own (succ / unsucc / invalid), one line per scored step; a data-stealing attack succeeded when both steps did.",
    ],
  };
}

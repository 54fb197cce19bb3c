/**
 * `${VAR}` in any string of the config is replaced from the environment (URLs, keys,
 * build ids). Values that came from the environment are remembered by key path so that
 * no message ever prints them. `$${VAR}` stands for a literal `${VAR}`.
 */
import { keyPathOf, type Problem } from "../io/diagnostic.js";
import type { Located } from "../io/source.js";

export interface Interpolated {
  data: unknown;
  /** Key paths (as rendered by keyPathOf) whose value includes an environment value. */
  fromEnv: Map<string, string[]>;
  problems: Problem[];
}

const PATTERN = /\$(\$?)\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function interpolateEnv(data: unknown, env: NodeJS.ProcessEnv, source: Located): Interpolated {
  const fromEnv = new Map<string, string[]>();
  const problems: Problem[] = [];
  const walk = (value: unknown, path: PropertyKey[]): unknown => {
    if (typeof value === "string") {
      const names: string[] = [];
      const out = value.replace(PATTERN, (whole, escaped: string, name: string) => {
        if (escaped) return whole.slice(1);
        if (!NAME.test(name)) {
          problems.push({
            file: source.file,
            position: source.locate(path),
            keyPath: keyPathOf(path),
            message: `"\${${name}}" is not a valid environment variable name; write $\${...} for a literal`,
          });
          return whole;
        }
        const v = env[name];
        if (v === undefined) {
          problems.push({
            file: source.file,
            position: source.locate(path),
            keyPath: keyPathOf(path),
            message: `environment variable ${name} is not set; set it, or write $\${${name}} for a literal`,
          });
          return whole;
        }
        names.push(name);
        return v;
      });
      if (names.length > 0) fromEnv.set(keyPathOf(path), names);
      return out;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return value;
  };
  return { data: walk(data, []), fromEnv, problems };
}

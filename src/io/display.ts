import { isAbsolute, relative } from "node:path";

/** Paths in messages and reports: relative to the working directory when that is shorter. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

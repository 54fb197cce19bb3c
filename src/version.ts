import pkg from "../package.json" with { type: "json" };

/** Recorded in every results file, so a baseline says which tool made it. */
export const VERSION: string = pkg.version;

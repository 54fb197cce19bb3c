/** The paired tests the gate can run (see method.ts for when each one runs). */
export const TESTS = [
  "exact McNemar",
  "Tango score",
  "cluster-robust t (CR2)",
  // Earlier versions' name for the clustered test; kept so their results.json still reads as a baseline.
  "cluster-robust t (CR1)",
] as const;
export type TestName = (typeof TESTS)[number];

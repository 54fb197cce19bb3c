/** The paired tests the gate can run (see method.ts for when each one runs). */
export const TESTS = ["exact McNemar", "Tango score", "cluster-robust t (CR1)"] as const;
export type TestName = (typeof TESTS)[number];

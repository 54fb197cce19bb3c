export type ConformanceInputs = Record<string, unknown>;
export type ConformanceOutputs = Record<string, number | number[]>;
export declare const conformance: Record<string, (inputs: ConformanceInputs) => ConformanceOutputs>;

export { type Interval, zForConfidence } from "./interval.js";
export { mcnemarExactOneSided, mcnemarExactTwoSided } from "./mcnemar.js";
export { newcombeHybridScoreInterval, type PairedTable, pairedDifference } from "./paired-difference.js";
export { wilsonInterval } from "./proportion.js";

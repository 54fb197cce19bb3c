export { type Agreement, agreement, type Confusion } from "./agreement.js";
export { type Interval, zForConfidence } from "./interval.js";
export { mcnemarExactOneSided, mcnemarExactTwoSided } from "./mcnemar.js";
export { newcombeHybridScoreInterval, type PairedTable, pairedDifference } from "./paired-difference.js";
export { wilsonInterval } from "./proportion.js";
export { correctedRate, type GraderAccuracy, roganGladen } from "./rogan-gladen.js";

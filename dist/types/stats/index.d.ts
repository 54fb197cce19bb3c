/**
 * `safety-gate/stats`: the statistics behind the gate, as pure functions. Orientation throughout
 * (../shared/stats-reference): the event is the bad outcome; b = n12 = pairs where only the candidate
 * is bad, c = n21 = only the baseline; Δ = candidate rate − baseline rate, positive = candidate worse.
 */
export { type Agreement, agreement, type Confusion } from "./agreement.js";
export { type ClusteredPairedSE, type ClusteredSE, type ClusterKey, type Clusters, clusteredMean, clusteredPairedDifference, clusterIndex, type MeanDifferenceTest, tInterval, tTest, } from "./cluster.js";
export { type ConformanceInputs, type ConformanceOutputs, conformance } from "./conformance.js";
export { type Interval, zForConfidence } from "./interval.js";
export { type ChiSquareResult, mcnemarChiSquare, mcnemarChiSquareCC, mcnemarExactOneSided, mcnemarExactTwoSided, mcnemarMidPOneSided, mcnemarMidPTwoSided, } from "./mcnemar.js";
export { benjaminiHochbergAdjust, holmAdjust } from "./multiplicity.js";
export { agrestiMinPairedInterval, bonettPricePairedInterval, newcombeHybridScoreInterval, type PairedTable, pairedDifference, waldCCPairedInterval, waldPairedInterval, } from "./paired-difference.js";
export { type ConnorInput, mcnemarExactPower, mcnemarPower, mcnemarSampleSize, minimumDetectableEffect, type PairedProbabilities, pairedScorePower, pairedScoreSampleSize, shiftedCells, tTestDetectableDistance, tTestPower, } from "./power.js";
export { agrestiCoullInterval, clopperPearsonInterval, jeffreysInterval, PROPORTION_INTERVALS, type ProportionMethod, wilsonCCInterval, wilsonInterval, } from "./proportion.js";
export { correctedRate, type GraderAccuracy, roganGladen } from "./rogan-gladen.js";
export { type Boundary, nominalLevel, SPENDING_FUNCTIONS, type SpendingFunction, sequentialP, spendingBoundary, spent, } from "./spending.js";
export { type Alternative, type ScoreTest, tangoScoreInterval, tangoScoreTest, tangoStatistic, } from "./tango.js";

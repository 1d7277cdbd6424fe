export { cuped, type CupedArm, type CupedInput, type CupedResult } from './cuped';
export {
  chiSquareCdf,
  chiSquareSf,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
} from './distributions';
export {
  summarize,
  welchFromSamples,
  welchTest,
  type MeanSummary,
  type WelchInput,
  type WelchResult,
} from './means';
export {
  twoProportionTest,
  type ConversionCounts,
  type TwoProportionInput,
  type TwoProportionResult,
} from './proportions';
export { sampleSizePerVariant, type SampleSizeInput } from './sample-size';
export {
  boundaryMultiplier,
  confidenceSequence,
  DEFAULT_TUNING_N,
  meanConfidenceSequence,
  mixtureRhoSquared,
  type ConfidenceSequenceResult,
  type SequentialOptions,
} from './sequential';
export { sampleRatioMismatch, SRM_P_THRESHOLD, type SrmInput, type SrmResult } from './srm';

import type { StageDefinition } from '../../../libs/enrichment/src';
import { classification } from '../../../services/classification/src/classification.stage';
import { orderAnalysis } from '../../../services/order-analysis/src/order-analysis.stage';
import { resolution } from '../../../services/resolution/src/resolution.stage';

/** The real stages, each from its own service, for the tests that run them together. */
export const STAGES: StageDefinition[] = [orderAnalysis, classification, resolution];
export { classification, orderAnalysis, resolution };

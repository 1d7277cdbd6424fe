import type { StageDefinition } from '@refinery/enrichment';
import { orderAnalysisPrompt } from './order-analysis.prompt';

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Stage 1: the problems in an order or delivery exception, each with a confidence. */
export const orderAnalysis: StageDefinition<'order-analysis'> = {
  name: 'order-analysis',
  // Problem detection gates classification, so it is part of the classification model.
  model: 'classification',
  source: { event: 'records.received' },
  prompts: { analyze: orderAnalysisPrompt },
  skipReason: () => undefined,
  async run(provider, record) {
    const { problems } = await provider.analyze(record);
    return { problems: problems.map((p) => ({ code: p.code, confidence: round(p.confidence) })) };
  },
};

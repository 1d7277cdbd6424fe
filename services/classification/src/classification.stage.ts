import type { StageDefinition } from '@refinery/enrichment';
import { classificationPrompt } from './classification.prompt';

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Stage 2: one label for the record, a calibrated confidence and the features behind it. */
export const classification: StageDefinition<'classification'> = {
  name: 'classification',
  model: 'classification',
  source: { event: 'enrichment.done', stage: 'order-analysis' },
  prompts: { classify: classificationPrompt },
  skipReason(work) {
    const analysis = work.stages['order-analysis']?.output;
    if (!analysis) return 'order analysis gave no output';
    if (analysis.problems.every((p) => p.code === 'NONE')) return 'no problem found';
    return undefined;
  },
  async run(provider, record, work) {
    const analysis = work.stages['order-analysis']!.output!;
    const result = await provider.classify(record, { problems: analysis.problems });
    return {
      ai_label: result.label,
      ai_confidence: round(result.confidence),
      explanation: result.explanation.map((c) => ({ feature: c.feature, weight: round(c.weight) })),
    };
  },
};

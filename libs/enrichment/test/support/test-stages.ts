import { confidenceOf, unsureReason } from '@refinery/contracts';
import type { StageDefinition } from '../../src';

/**
 * Stages made for the runtime's tests: each passes its provider's answer on as it is, and the
 * last skips a record whose classification is unsure. The real stages, with their own
 * decisions and prompts, live in their services (`services/<stage>/src`).
 */
export const analysisStage: StageDefinition<'order-analysis'> = {
  name: 'order-analysis',
  source: { event: 'records.received' },
  prompts: { analyze: 'list the problems.' },
  skipReason: () => undefined,
  run: (provider, record) => provider.analyze(record),
};

export const classificationStage: StageDefinition<'classification'> = {
  name: 'classification',
  source: { event: 'enrichment.done', stage: 'order-analysis' },
  prompts: { classify: 'choose a label.' },
  skipReason: () => undefined,
  async run(provider, record, work) {
    const answer = await provider.classify(record, work.stages['order-analysis']!.output!);
    return {
      ai_label: answer.label,
      ai_confidence: answer.confidence,
      explanation: answer.explanation,
    };
  },
};

export const resolutionStage: StageDefinition<'resolution'> = {
  name: 'resolution',
  source: { event: 'enrichment.done', stage: 'classification' },
  prompts: { resolve: 'choose an action.' },
  last: true,
  skipReason: ({ stages }, { minConfidence }) =>
    unsureReason(
      'classification',
      confidenceOf('classification', stages.classification?.output),
      minConfidence,
    ),
  async run(provider, record, { stages }) {
    const { ai_label, ai_confidence, explanation } = stages.classification!.output!;
    return provider.resolve(record, { label: ai_label, confidence: ai_confidence, explanation });
  },
};

export const TEST_STAGES: StageDefinition[] = [analysisStage, classificationStage, resolutionStage];

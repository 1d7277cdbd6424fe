import { confidenceOf, unsureReason } from '@refinery/contracts';
import type { StageDefinition } from '@refinery/enrichment';
import { resolutionPrompt } from './resolution.prompt';

/**
 * Stage 3: the action to take, whether it can run unattended, and why. Only for records
 * classified with enough confidence; it publishes `enrichment.completed` for every record.
 */
export const resolution: StageDefinition<'resolution'> = {
  name: 'resolution',
  model: 'resolution',
  source: { event: 'enrichment.done', stage: 'classification' },
  prompts: { resolve: resolutionPrompt },
  last: true,
  skipReason(work, rules) {
    const stage = work.stages.classification;
    if (!stage?.output)
      return `classification ${stage?.status ?? 'missing'}: ${stage?.skip_reason ?? 'no output'}`;
    const unsure = unsureReason(
      'classification',
      confidenceOf('classification', stage.output),
      rules.minConfidence,
    );
    return unsure === undefined ? undefined : `${unsure}: sent for human review`;
  },
  async run(provider, record, work) {
    const { ai_label, ai_confidence, explanation } = work.stages.classification!.output!;
    const result = await provider.resolve(record, {
      label: ai_label,
      confidence: ai_confidence,
      explanation,
    });
    return {
      action: result.action,
      automatable: result.automatable,
      rationale: result.rationale,
      confidence: Math.round(result.confidence * 1000) / 1000,
    };
  },
};

import { Injectable } from '@nestjs/common';
import { createLocalProvider, type LocalProvider } from '@refinery/ai';
import { AI_LABELS } from '@refinery/contracts';
import type { Example } from '../examples/example';
import { entropy, margin } from './uncertainty';

export const UNCERTAINTY_MEASURES = ['margin', 'entropy'] as const;
export type UncertaintyMeasure = (typeof UNCERTAINTY_MEASURES)[number];

/**
 * How unsure the current model is about an example's input: the stages' local model's label
 * distribution for the record, scored by margin or entropy (1 = as unsure as it can be).
 */
@Injectable()
export class ModelUncertainty {
  private provider?: LocalProvider;

  score(example: Example, measure: UncertaintyMeasure): number {
    this.provider ??= createLocalProvider();
    const record = {
      recordId: example.id,
      tenant: '',
      recordType: 'exception' as const,
      payload: example.input,
    };
    const model = this.provider.trained.model;
    let probabilities: number[];
    try {
      probabilities = model.classify(model.features(record)).probabilities;
    } catch {
      return 1; // an input the model cannot read is as uncertain as it gets
    }
    const distribution = Object.fromEntries(AI_LABELS.map((label, i) => [label, probabilities[i]]));
    return measure === 'margin' ? margin(distribution) : entropy(distribution);
  }
}

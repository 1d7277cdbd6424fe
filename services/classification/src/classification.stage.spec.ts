import { AI_LABELS, RulesProvider } from '@refinery/ai';
import { recordInputOf } from '@refinery/enrichment';
import { stageWork } from '@refinery/testing';
import { classification } from './classification.stage';

const rules = { minConfidence: 0.7 };
const late = { problems: [{ code: 'LATE_SHIPMENT' as const, confidence: 0.9 }] };

describe('the classification stage', () => {
  it('hands an LLM its prompt, which allows every label', () => {
    expect(classification.prompts.classify).toContain('INVENTORY_SHORTAGE');
    for (const label of AI_LABELS) expect(classification.prompts.classify).toContain(label);
  });

  it('skips a record without analysis or without a problem', () => {
    expect(classification.skipReason(stageWork({ 'order-analysis': null }), rules)).toBe(
      'order analysis gave no output',
    );
    const none = { problems: [{ code: 'NONE' as const, confidence: 0.95 }] };
    expect(classification.skipReason(stageWork({ 'order-analysis': none }), rules)).toBe(
      'no problem found',
    );
    expect(classification.skipReason(stageWork({ 'order-analysis': late }), rules)).toBeUndefined();
  });

  it('labels the record from the problems found, with the features behind the label', async () => {
    const provider = new RulesProvider();
    jest.spyOn(provider, 'classify').mockResolvedValue({
      label: 'DELIVERY_DELAY',
      confidence: 0.912345,
      explanation: [{ feature: 'never_arrived', weight: 1.23456 }],
    });
    const work = stageWork({ 'order-analysis': late });

    const output = await classification.run(provider, recordInputOf(work), work);

    expect(output).toEqual({
      ai_label: 'DELIVERY_DELAY',
      ai_confidence: 0.912,
      explanation: [{ feature: 'never_arrived', weight: 1.235 }],
    });
    expect(provider.classify).toHaveBeenCalledWith(recordInputOf(work), late);
  });
});

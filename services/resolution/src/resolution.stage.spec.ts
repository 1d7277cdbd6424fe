import { ACTIONS, RulesProvider } from '@refinery/ai';
import { recordInputOf } from '@refinery/enrichment';
import { stageWork } from '@refinery/testing';
import { resolution } from './resolution.stage';

const rules = { minConfidence: 0.7 };
const labelled = (ai_confidence: number) => ({
  ai_label: 'DELIVERY_DELAY' as const,
  ai_confidence,
  explanation: [{ feature: 'never_arrived', weight: 1.4 }],
});

describe('the resolution stage', () => {
  it('hands an LLM its prompt, which allows every action', () => {
    expect(resolution.prompts.resolve).toContain('ESCALATE_HUMAN');
    for (const action of ACTIONS) expect(resolution.prompts.resolve).toContain(action);
  });

  it('publishes enrichment.completed as the last stage', () => {
    expect(resolution.last).toBe(true);
  });

  it('skips a record that was not classified, or classified without enough confidence', () => {
    expect(resolution.skipReason(stageWork({ classification: null }), rules)).toBe(
      'classification SKIPPED: skipped in the test',
    );
    expect(resolution.skipReason(stageWork(), rules)).toBe('classification missing: no output');
    expect(resolution.skipReason(stageWork({ classification: labelled(0.41) }), rules)).toBe(
      'ai_confidence 0.41 is below 0.7: sent for human review',
    );
    expect(
      resolution.skipReason(stageWork({ classification: labelled(0.7) }), rules),
    ).toBeUndefined();
  });

  it('chooses the action from the classification', async () => {
    const provider = new RulesProvider();
    jest.spyOn(provider, 'resolve').mockResolvedValue({
      action: 'CONTACT_CARRIER',
      automatable: true,
      rationale: 'The carrier still holds the parcel.',
      confidence: 0.876543,
    });
    const work = stageWork({ classification: labelled(0.93) });

    const output = await resolution.run(provider, recordInputOf(work), work);

    expect(output).toEqual({
      action: 'CONTACT_CARRIER',
      automatable: true,
      rationale: 'The carrier still holds the parcel.',
      confidence: 0.877,
    });
    expect(provider.resolve).toHaveBeenCalledWith(recordInputOf(work), {
      label: 'DELIVERY_DELAY',
      confidence: 0.93,
      explanation: [{ feature: 'never_arrived', weight: 1.4 }],
    });
  });
});

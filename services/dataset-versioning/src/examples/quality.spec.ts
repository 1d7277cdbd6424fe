import { scoreExample, type DatasetContext } from './quality';

const context = (sameText: { type: string; cls: string }[] = []): DatasetContext => ({
  classShare: () => 0.25,
  classCount: () => 4,
  classesOfSameText: (_text, _id, type) =>
    sameText.filter((s) => s.type === type).map((s) => s.cls),
});

const corrected = {
  id: 'a',
  type: 'classification',
  input: {
    order_number: 'EU-1',
    description: 'The box arrived crushed and the lamp inside is broken.',
  },
  output: { label: 'DAMAGED_ITEM' },
  labels: { source: 'correction', confidence: 1, reason: 'photos' },
};

describe('the quality score', () => {
  it('gives a verified, complete, clear and balanced example full marks', () => {
    expect(scoreExample(corrected, context())).toMatchObject({ score: 100, tier: 'gold' });
  });

  it('rejects an example without text, with an unknown label and no one vouching for it', () => {
    const poor = {
      id: 'b',
      type: 'classification',
      input: { order_number: '' },
      output: { label: 'nonsense' },
      labels: null,
    };
    const { score, tier, parts } = scoreExample(poor, context());
    expect(tier).toBe('rejected');
    expect(parts).toMatchObject({
      completeness_input_text: 0,
      completeness_output_valid: 0,
      correctness_human_verified: 0,
    });
    expect(score).toBeLessThan(60);
  });

  it('weighs consistency against examples of the same task only', () => {
    const others = [
      { type: 'classification', cls: 'DELIVERY_DELAY' },
      { type: 'resolution', cls: 'RESHIP' },
    ];
    const { parts } = scoreExample(corrected, context(others));
    // One other classification with the same text, and it disagrees; the resolution is no vote.
    expect(parts.correctness_consistent).toBe(0);
    expect(parts.representativeness_unique_input).toBe(0);
  });
});

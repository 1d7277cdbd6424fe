import { PROBLEM_CODES, RulesProvider } from '@refinery/ai';
import { recordInputOf } from '@refinery/enrichment';
import { stageWork } from '@refinery/testing';
import { orderAnalysis } from './order-analysis.stage';

const rules = { minConfidence: 0.7 };

describe('the order-analysis stage', () => {
  it('hands an LLM its prompt, which allows every problem code', () => {
    expect(orderAnalysis.prompts.analyze).toContain('LATE_SHIPMENT');
    for (const code of PROBLEM_CODES) expect(orderAnalysis.prompts.analyze).toContain(code);
  });

  it('runs for every record', () => {
    expect(orderAnalysis.skipReason(stageWork(), rules)).toBeUndefined();
  });

  it('keeps every problem the provider found, confidences to three places', async () => {
    const provider = new RulesProvider();
    jest.spyOn(provider, 'analyze').mockResolvedValue({
      problems: [
        { code: 'DAMAGE_REPORTED', confidence: 0.876543 },
        { code: 'MISSING_ITEM', confidence: 0.2 },
      ],
    });
    const work = stageWork();

    const output = await orderAnalysis.run(provider, recordInputOf(work), work);

    expect(output.problems).toEqual([
      { code: 'DAMAGE_REPORTED', confidence: 0.877 },
      { code: 'MISSING_ITEM', confidence: 0.2 },
    ]);
    expect(provider.analyze).toHaveBeenCalledWith(recordInputOf(work));
  });
});

import { ACTIONS, AI_LABELS, PROBLEM_CODES, RECORD_TYPES } from '@refinery/contracts';
import { generateSeedSet } from './seed-set';

describe('generateSeedSet', () => {
  const set = generateSeedSet({ seed: 42, size: 3000 });

  it('gives the same examples for the same seed and different ones for another seed', () => {
    expect(generateSeedSet({ seed: 42, size: 3000 })).toEqual(set);
    const other = generateSeedSet({ seed: 43, size: 3000 });
    const same = other.filter((e, i) => JSON.stringify(e) === JSON.stringify(set[i])).length;
    expect(same).toBe(0);
  });

  it('writes records that pass the ingestion schemas', () => {
    const invalid = set.filter(
      (e) => !RECORD_TYPES[e.record.recordType].safeParse(e.record.payload).success,
    );
    expect(invalid).toEqual([]);
  });

  it('mixes orders and delivery exceptions and uses every label and action', () => {
    const orders = set.filter((e) => e.record.recordType === 'order').length / set.length;
    expect(orders).toBeGreaterThan(0.3);
    expect(orders).toBeLessThan(0.5);
    expect(new Set(set.map((e) => e.label))).toEqual(new Set(AI_LABELS));
    expect(new Set(set.map((e) => e.action))).toEqual(new Set(ACTIONS));
    expect(new Set(set.flatMap((e) => e.problems))).toEqual(new Set(PROBLEM_CODES));
  });

  it('labels NONE only on its own and has records with several problems', () => {
    expect(set.filter((e) => e.problems.includes('NONE') && e.problems.length > 1)).toEqual([]);
    expect(set.filter((e) => e.problems.length > 1).length).toBeGreaterThan(set.length * 0.1);
  });

  it('describes problems in more than one way, so no single keyword gives the label away', () => {
    const damaged = set.filter(
      (e) => e.record.recordType === 'exception' && e.label === 'DAMAGED_ITEM',
    );
    const saysDamage = damaged.filter((e) =>
      /damage/i.test(String(e.record.payload.description)),
    ).length;
    expect(saysDamage / damaged.length).toBeLessThan(0.5);
  });

  it('has some labelling mistakes, as human labels do', () => {
    // Nothing wrong with the record, yet a label other than OTHER: only a mislabel does that.
    const clean = set.filter((e) => e.problems[0] === 'NONE');
    const mislabelled = clean.filter((e) => e.label !== 'OTHER').length / clean.length;
    expect(mislabelled).toBeGreaterThan(0.01);
    expect(mislabelled).toBeLessThan(0.15);
  });
});

import { FingerprintSet } from './fingerprints';

describe('FingerprintSet', () => {
  it('finds repeats among increasing integers, integers out of order and text', () => {
    const set = new FingerprintSet();
    for (let i = 1; i <= 5000; i++) expect(set.add(i)).toBe(true);
    expect(set.add(2500)).toBe(false);
    expect(set.add(-7)).toBe(true);
    expect(set.add(-7)).toBe(false);
    // A key below the run that the run does not hold goes to the table, and stays unique.
    expect(set.add(5001)).toBe(true);
    expect(set.add(0)).toBe(true);
    expect(set.add(0)).toBe(false);
    for (let i = 0; i < 5000; i++) expect(set.add(`ORD-${i}`)).toBe(true);
    expect(set.add('ORD-4999')).toBe(false);
    expect(set.count).toBe(5000 + 1 + 1 + 1 + 5000);
  });

  it('answers membership for every kind of key it holds, and only those', () => {
    const set = new FingerprintSet();
    [10, 20, 30, 5, 'a', 'b'].forEach((key) => set.add(key));
    for (const key of [10, 20, 30, 5, 'a', 'b']) expect(set.has(key)).toBe(true);
    for (const key of [15, 31, 0, 'c', 1.5]) expect(set.has(key)).toBe(false);
  });

  it('does not take a key above the run as unique when the table already holds it', () => {
    const set = new FingerprintSet();
    set.add(10);
    set.add(3); // below the run: the table
    set.add(20);
    expect(set.add(3)).toBe(false);
    expect(set.add(25)).toBe(true);
  });
});

import { recordIdOf } from './record-id';

describe('recordIdOf', () => {
  it('gives the same UUID v5 for the same natural key and a different one otherwise', () => {
    const id = recordIdOf('t1', 'shop', 'o-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(recordIdOf('t1', 'shop', 'o-1')).toBe(id);
    expect(recordIdOf('t2', 'shop', 'o-1')).not.toBe(id);
    // The separator keeps ("a", "b\nc") and ("a\nb", "c") apart.
    expect(recordIdOf('t1', 'a', 'b\nc')).not.toBe(recordIdOf('t1', 'a\nb', 'c'));
  });
});

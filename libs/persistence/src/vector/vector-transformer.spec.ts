import { vectorFromSql, vectorToSql, vectorTransformer } from './vector-transformer';

describe('vector text format', () => {
  it('writes and reads pgvector text', () => {
    expect(vectorToSql([1, -0.25, 3e-7])).toBe('[1,-0.25,3e-7]');
    expect(vectorFromSql('[1,-0.25,3e-7]')).toEqual([1, -0.25, 3e-7]);
  });

  it('refuses values Postgres would reject or misread', () => {
    expect(() => vectorToSql([1, Number.NaN])).toThrow('finite numbers only, got NaN');
    expect(() => vectorTransformer.to('[1,2]')).toThrow('array of numbers');
    expect(() => vectorFromSql('1,2')).toThrow('not a vector');
  });

  it('passes NULL through and accepts values the driver already parsed', () => {
    expect(vectorTransformer.to(null)).toBeNull();
    expect(vectorTransformer.from(null)).toBeNull();
    expect(vectorTransformer.from([1, 2])).toEqual([1, 2]);
  });
});

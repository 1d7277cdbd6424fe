import { describeError, isMaskedByNest } from './describe-error';

describe('describeError', () => {
  it('names the error class and message', () => {
    expect(describeError(new TypeError('x is undefined'))).toBe('TypeError: x is undefined');
    expect(describeError('plain text')).toBe('plain text');
  });

  it('recognises the stand-in Nest puts in place of an unknown error', () => {
    expect(isMaskedByNest({ status: 'error', message: 'Internal server error' })).toBe(true);
    expect(isMaskedByNest(new Error('Internal server error'))).toBe(false);
    expect(isMaskedByNest({ message: 'something' })).toBe(false);
  });
});

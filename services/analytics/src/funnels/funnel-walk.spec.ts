import { FunnelWalk, median } from './funnel-walk';

const H = 3_600_000;
const walk = (strict: boolean) => new FunnelWalk(3, 0, 10 * H, 24 * H, strict);

describe('a funnel walked per user', () => {
  it('enters at the first step-0 event in the range and reaches steps in order within the window', () => {
    const w = walk(true);
    w.user([
      { step: 0, at: 1 * H, segment: null },
      { step: 1, at: 2 * H, segment: null },
      { step: 2, at: 30 * H, segment: null }, // outside the 24 h window
    ]);
    w.user([
      { step: 1, at: 1 * H, segment: null }, // before the entry: does not count in strict order
      { step: 0, at: 2 * H, segment: null },
      { step: 2, at: 3 * H, segment: null },
    ]);
    w.user([{ step: 0, at: 11 * H, segment: null }]); // entered after the range
    const [entered, second, third] = w.segments.get('all')!;
    expect([entered.users, second.users, third.users]).toEqual([2, 1, 0]);
    expect(second.seconds).toEqual([3600]);
  });

  it('in any order takes a later step before the one in between, after the entry', () => {
    const w = walk(false);
    w.user([
      { step: 0, at: 1 * H, segment: null },
      { step: 2, at: 2 * H, segment: null },
      { step: 1, at: 3 * H, segment: null },
    ]);
    expect(w.segments.get('all')!.map((s) => s.users)).toEqual([1, 1, 1]);
    const strict = walk(true);
    strict.user([
      { step: 0, at: 1 * H, segment: null },
      { step: 2, at: 2 * H, segment: null },
      { step: 1, at: 3 * H, segment: null },
    ]);
    expect(strict.segments.get('all')!.map((s) => s.users)).toEqual([1, 1, 0]);
  });

  it('splits users by the segment of their entry, and takes the middle of an even count', () => {
    const w = walk(true);
    w.user([{ step: 0, at: 1 * H, segment: 'mobile' }]);
    w.user([{ step: 0, at: 1 * H, segment: 'web' }]);
    expect([...w.segments.keys()].sort()).toEqual(['mobile', 'web']);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

import { attribute, type HeuristicModel } from '../../src/attribution/models';
import { converted, creditOf, DAY, expectCredit, lost, T, touch, valueOf } from './journeys';

// One journey with every rule in play, worth 150. Counted: search 21d, email 14d, search 7d,
// social 0d before the conversion. Not counted: display 40d before (outside 30 days) and
// video an hour after the conversion.
const mixed = converted(
  'mixed',
  [
    touch('display', 40),
    touch('search', 21),
    touch('email', 14),
    touch('search', 7),
    touch('social', 0),
    touch('video', -1 / 24),
  ],
  150,
);

describe('heuristic models on one journey, by hand', () => {
  it.each<[HeuristicModel, Record<string, number>]>([
    ['first_touch', { search: 1 }],
    ['last_touch', { social: 1 }],
    // 4 touches, 1/4 each; search twice.
    ['linear', { search: 1 / 2, email: 1 / 4, social: 1 / 4 }],
    // Ages 21, 14, 7, 0 days, half-life 7: weights 1/8, 1/4, 1/2, 1 over a sum of 15/8.
    ['time_decay', { search: 1 / 15 + 4 / 15, email: 2 / 15, social: 8 / 15 }],
    // 40% first (search), 40% last (social), 20% over the 2 middle touches: 10% each.
    ['position_based', { search: 0.4 + 0.1, email: 0.1, social: 0.4 }],
  ])('%s', (model, expected) => {
    const result = attribute([mixed], { model });
    expect(result.conversions).toBe(1);
    expect(result.value).toBe(150);
    expectCredit(creditOf(result), expected);
    const value = Object.fromEntries(Object.entries(expected).map(([c, v]) => [c, v * 150]));
    const actual = valueOf(result);
    for (const channel of Object.keys(value)) {
      expect(actual[channel]).toBeCloseTo(value[channel], 10);
    }
  });
});

describe('time_decay', () => {
  it('weights touches 14, 7 and 0 days old 1/4, 1/2 and 1, normalised', () => {
    const journey = converted('j', [touch('a', 14), touch('b', 7), touch('c', 0)]);
    const result = attribute([journey], { model: 'time_decay' });
    expectCredit(creditOf(result), { a: 1 / 7, b: 2 / 7, c: 4 / 7 });
  });

  it('splits the same when the last touch came days before the conversion', () => {
    // 14 and 7 days old: 1/4 and 1/2, so 1/3 and 2/3 (the gap to the conversion cancels).
    const journey = converted('j', [touch('a', 14), touch('b', 7)]);
    expectCredit(creditOf(attribute([journey], { model: 'time_decay' })), { a: 1 / 3, b: 2 / 3 });
  });

  it('takes its half-life from half_life_days', () => {
    const journey = converted('j', [touch('a', 14), touch('b', 0)]);
    const result = attribute([journey], { model: 'time_decay', half_life_days: 14 });
    expectCredit(creditOf(result), { a: 1 / 3, b: 2 / 3 });
  });

  it('still credits the newest touch when older ones are too old to weigh anything', () => {
    // 2^-(29 / 0.001) underflows to 0: the newest touch must then take the whole conversion.
    const journey = converted('j', [touch('a', 29), touch('b', 25)]);
    const result = attribute([journey], { model: 'time_decay', half_life_days: 0.001 });
    expectCredit(creditOf(result), { b: 1 });
  });
});

describe('position_based with few touches', () => {
  it('gives a single touch the whole conversion', () => {
    const result = attribute([converted('j', [touch('a', 3)])], { model: 'position_based' });
    expectCredit(creditOf(result), { a: 1 });
  });

  it('splits two touches 50/50, and gives both halves to a channel that made both', () => {
    const two = converted('two', [touch('a', 3), touch('b', 1)]);
    expectCredit(creditOf(attribute([two], { model: 'position_based' })), { a: 0.5, b: 0.5 });
    const same = converted('same', [touch('a', 3), touch('a', 1)]);
    expectCredit(creditOf(attribute([same], { model: 'position_based' })), { a: 1 });
  });

  it('gives the only middle touch of three its full 20%', () => {
    const journey = converted('j', [touch('a', 3), touch('b', 2), touch('c', 1)]);
    const result = attribute([journey], { model: 'position_based' });
    expectCredit(creditOf(result), { a: 0.4, b: 0.2, c: 0.4 });
  });

  it('sums a channel that is both first and last, and shares 20% over three middles', () => {
    const touches = ['a', 'b', 'b', 'c', 'a'].map((channel, i) => touch(channel, 5 - i));
    const result = attribute([converted('j', touches)], { model: 'position_based' });
    expectCredit(creditOf(result), { a: 0.8, b: 0.2 * (2 / 3), c: 0.2 / 3 });
  });
});

describe('the lookback window', () => {
  it('counts a touch exactly lookback_days old and not one a millisecond older', () => {
    const journey = converted('j', [
      { channel: 'old', at: T - 30 * DAY - 1 },
      { channel: 'edge', at: T - 30 * DAY },
      touch('late', 1),
    ]);
    expectCredit(creditOf(attribute([journey], { model: 'first_touch' })), { edge: 1 });
  });

  it('takes its length from lookback_days', () => {
    const journey = converted('j', [touch('a', 8), touch('b', 6)]);
    const week = attribute([journey], { model: 'first_touch', lookback_days: 7 });
    expectCredit(creditOf(week), { b: 1 });
    expectCredit(creditOf(attribute([journey], { model: 'first_touch' })), { a: 1 });
  });

  it('counts a touch at the conversion instant but not one after it', () => {
    const journey = converted('j', [touch('a', 2), touch('at', 0), touch('after', -0.001)]);
    expectCredit(creditOf(attribute([journey], { model: 'last_touch' })), { at: 1 });
  });

  it('ends the window at the last touch when a conversion has no time', () => {
    // Converts at its last touch (email); search, 40 days before that, is outside.
    const journey = { id: 'j', touches: [touch('search', 45), touch('email', 5)], converted: true };
    expectCredit(creditOf(attribute([journey], { model: 'first_touch' })), { email: 1 });
  });

  it('reports a conversion with no touch in the window as unattributed, with its value', () => {
    const none = converted('none', [touch('a', 31), touch('b', -1)], 80);
    const some = converted('some', [touch('a', 2)], 20);
    const result = attribute([none, some], { model: 'linear' });
    expect(result).toMatchObject({
      conversions: 1,
      value: 20,
      unattributed: { conversions: 1, value: 80 },
    });
    expectCredit(creditOf(result), { a: 1 });
  });
});

describe('touch order', () => {
  it('orders touches by time, not by the order they arrive in', () => {
    const journey = converted('j', [touch('email', 1), touch('social', 9), touch('search', 5)]);
    expectCredit(creditOf(attribute([journey], { model: 'first_touch' })), { social: 1 });
    expectCredit(creditOf(attribute([journey], { model: 'last_touch' })), { email: 1 });
    expect(journey.touches.map((t) => t.channel)).toEqual(['email', 'social', 'search']);
  });
});

describe('non-converting journeys', () => {
  it('earn no credit in any heuristic model', () => {
    const journeys = [lost('l', [touch('display', 1)]), converted('c', [touch('search', 1)])];
    for (const model of ['first_touch', 'linear', 'time_decay'] as const) {
      expectCredit(creditOf(attribute(journeys, { model })), { search: 1 });
    }
  });
});

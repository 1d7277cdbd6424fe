import { ALL_MODELS, attribute, type Journey } from '../../src/attribution/models';
import { converted, lost, touch } from './journeys';

describe('attribute', () => {
  it('lists the seven models', () => {
    expect(ALL_MODELS).toEqual([
      'first_touch',
      'last_touch',
      'linear',
      'time_decay',
      'position_based',
      'markov',
      'presence',
    ]);
  });

  it('totals credit, value and share by channel, largest credit first', () => {
    // linear: j1 search 1/2 + email 1/2 (of 100), j2 email 1 (of 40),
    // j3 social 2/3 + search 1/3 (no value); display only in a lost journey.
    const journeys = [
      converted('j1', [touch('search', 2), touch('email', 1)], 100),
      converted('j2', [touch('email', 1)], 40),
      converted('j3', [touch('social', 3), touch('search', 2), touch('social', 1)]),
      lost('j4', [touch('display', 1)]),
    ];
    const result = attribute(journeys, { model: 'linear' });
    expect(result).toMatchObject({
      model: 'linear',
      conversions: 3,
      value: 140,
      unattributed: { conversions: 0, value: 0 },
    });
    expect(result.channels.map((c) => c.channel)).toEqual(['email', 'search', 'social']);
    const [email, search, social] = result.channels;
    expect(email).toEqual({ channel: 'email', conversions: 1.5, value: 90, share: 0.5 });
    expect(search.conversions).toBeCloseTo(5 / 6, 12);
    expect(search.value).toBeCloseTo(50, 12);
    expect(search.share).toBeCloseTo(5 / 18, 12);
    expect(social.conversions).toBeCloseTo(2 / 3, 12);
    expect(social.value).toBe(0);
    expect(social.share).toBeCloseTo(2 / 9, 12);
  });

  it('breaks ties in credit by channel name', () => {
    const journeys = [converted('1', [touch('b', 1)]), converted('2', [touch('a', 1)])];
    const result = attribute(journeys, { model: 'first_touch' });
    expect(result.channels.map((c) => c.channel)).toEqual(['a', 'b']);
  });

  it('returns nothing to credit for no journeys', () => {
    expect(attribute([], { model: 'linear' })).toEqual({
      model: 'linear',
      conversions: 0,
      value: 0,
      unattributed: { conversions: 0, value: 0 },
      channels: [],
    });
  });
});

describe('attribute rejects bad input, naming what is wrong', () => {
  const ok = [converted('ok', [touch('a', 1)])];

  it('rejects an unknown model, listing the known ones', () => {
    expect(() => attribute(ok, { model: 'u_shaped' })).toThrow(RangeError);
    expect(() => attribute(ok, { model: 'u_shaped' })).toThrow(
      new RangeError(
        'model must be one of first_touch, last_touch, linear, time_decay, position_based, ' +
          'markov, presence; got "u_shaped"',
      ),
    );
  });

  it.each(ALL_MODELS)(
    'rejects a lookback or half-life that is not a positive number (%s)',
    (model) => {
      for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => attribute(ok, { model, lookback_days: bad })).toThrow(RangeError);
        expect(() => attribute(ok, { model, lookback_days: bad })).toThrow(/^lookback_days must/);
        expect(() => attribute(ok, { model, half_life_days: bad })).toThrow(/^half_life_days must/);
      }
    },
  );

  it.each<[string, Journey, RegExp]>([
    [
      'a touch time',
      { id: 'b', converted: false, touches: [touch('a', 2), { channel: 'a', at: Number.NaN }] },
      /^journeys\[1\] \(id "b"\)\.touches\[1\]\.at must be a finite epoch-ms number$/,
    ],
    [
      'a conversion time',
      { id: 'b', converted: true, conversion_at: Number.NaN, touches: [touch('a', 1)] },
      /^journeys\[1\] \(id "b"\)\.conversion_at must be/,
    ],
    [
      'a value',
      { id: 'b', converted: true, value: Number.POSITIVE_INFINITY, touches: [touch('a', 1)] },
      /^journeys\[1\] \(id "b"\)\.value must be a finite number$/,
    ],
  ])('rejects %s that is not a finite number, in every model', (_what, journey, message) => {
    for (const model of ALL_MODELS) {
      expect(() => attribute([...ok, journey], { model })).toThrow(RangeError);
      expect(() => attribute([...ok, journey], { model })).toThrow(message);
    }
  });

  it('rejects a touch without a channel', () => {
    const journey = converted('b', [{ channel: '', at: 0 }]);
    expect(() => attribute([journey], { model: 'linear' })).toThrow(
      /^journeys\[0\] \(id "b"\)\.touches\[0\]\.channel must be a non-empty string$/,
    );
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attribute, type Journey, type MarkovAttribution } from '../../src/attribution/models';
import { converted, lost, touch } from './journeys';

function byChannel(result: MarkovAttribution) {
  return Object.fromEntries(result.channels.map((c) => [c.channel, c]));
}

function expectNear(actual: number, expected: number, tolerance = 1e-12): void {
  expect(Math.abs(actual - expected)).toBeLessThan(tolerance);
}

describe('markov, worked by hand', () => {
  // Counted paths (window and order rules as for every model):
  //   1. start A B conversion   (A, A, B: the repeat is one visit; D came after the conversion)
  //   2. start B conversion
  //   3. start A null           (C is 39 days before the last touch: outside the window)
  //   4. start B A null
  // Transitions: start -> A 2/4, start -> B 2/4; A -> B 1/3, A -> null 2/3;
  //              B -> conversion 2/3, B -> A 1/3.
  // (Keeping A -> A as a self-loop gives A: 1/4 A, 1/4 B, 1/2 null: the same absorption.)
  // Absorption into conversion: h_A = h_B / 3, h_B = 2/3 + h_A / 3, so h_B = 3/4, h_A = 1/4,
  // and P(conversion) = (1/4 + 3/4) / 2 = 1/2 (2 of the 4 paths converted).
  // Without A (moves into A go to null): h_B = 2/3, P = (0 + 2/3) / 2 = 1/3, effect 1 - 2/3 = 1/3.
  // Without B: h_A = h_B = 0, P = 0, effect 1.
  // Shares 1/3 : 1 = 1/4 : 3/4, of 2 conversions worth 160.
  const journeys: Journey[] = [
    converted('1', [touch('A', 3), touch('A', 2), touch('B', 1), touch('D', -1)], 100),
    converted('2', [touch('B', 1)], 60),
    lost('3', [touch('C', 40), touch('A', 1)]),
    lost('4', [touch('B', 2), touch('A', 1)]),
  ];

  it('finds P(conversion), removal effects, shares and credit', () => {
    const result = attribute(journeys, { model: 'markov' });
    expect(result).toMatchObject({ model: 'markov', conversions: 2, value: 160 });
    expectNear(result.conversion_probability, 1 / 2);
    expect(result.channels.map((c) => c.channel)).toEqual(['B', 'A']);
    const { A, B } = byChannel(result);
    expectNear(A.removal_effect, 1 / 3);
    expectNear(B.removal_effect, 1);
    expectNear(A.share, 1 / 4);
    expectNear(B.share, 3 / 4);
    expectNear(A.conversions, 1 / 2);
    expectNear(B.conversions, 3 / 2);
    expectNear(A.value, 40, 1e-9);
    expectNear(B.value, 120, 1e-9);
  });

  it('credits a channel seen only before losses when it leads into converting channels', () => {
    // Paths: start X A null; start A conversion. A: 1/2 null, 1/2 conversion; X -> A.
    // h_A = h_X = 1/2, P = 1/2. Without X: P = (0 + 1/2) / 2 = 1/4, effect 1/2. Without A:
    // P = 0, effect 1. Shares 1/3 and 2/3: the chain forgets that X's path was lost.
    const result = attribute(
      [lost('l', [touch('X', 2), touch('A', 1)]), converted('c', [touch('A', 1)])],
      { model: 'markov' },
    );
    const { A, X } = byChannel(result);
    expectNear(X.removal_effect, 1 / 2);
    expectNear(A.removal_effect, 1);
    expectNear(X.share, 1 / 3);
    expectNear(A.share, 2 / 3);
  });

  it('lists channels with nothing to share when no journey converted', () => {
    const result = attribute([lost('l', [touch('A', 2), touch('B', 1)])], { model: 'markov' });
    expect(result.conversion_probability).toBe(0);
    expect(result.conversions).toBe(0);
    expect(result.channels).toEqual([
      { channel: 'A', conversions: 0, value: 0, share: 0, removal_effect: 0 },
      { channel: 'B', conversions: 0, value: 0, share: 0, removal_effect: 0 },
    ]);
  });

  it('leaves a conversion without counted touches out of the chain, as unattributed', () => {
    const result = attribute(
      [converted('none', [touch('A', 45)], 30), converted('one', [touch('A', 1)], 10)],
      { model: 'markov' },
    );
    expect(result).toMatchObject({
      conversions: 1,
      value: 10,
      unattributed: { conversions: 1, value: 30 },
      conversion_probability: 1,
    });
    expect(result.channels).toEqual([
      { channel: 'A', conversions: 1, value: 10, share: 1, removal_effect: 1 },
    ]);
  });

  it('returns no channels for no journeys', () => {
    const result = attribute([], { model: 'markov' });
    expect(result).toMatchObject({ conversions: 0, conversion_probability: 0, channels: [] });
  });
});

// Made by fixtures/attribution/markov_fixture.py: 500 seeded journeys, the chain built with
// self-loops kept and each removal solved literally with numpy.linalg; see the script.
interface Fixture {
  journeys: Journey[];
  cases: Array<{
    lookback_days: number;
    conversions: number;
    value: number;
    unattributed: { conversions: number; value: number };
    conversion_probability: number;
    channels: Record<
      string,
      { removal_effect: number; share: number; conversions: number; value: number }
    >;
  }>;
}

const fixture = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/attribution/markov.json'), 'utf8'),
) as Fixture;

describe('markov against the numpy reference', () => {
  it.each(fixture.cases.map((c) => [c.lookback_days, c] as const))(
    'agrees to 1e-9 with a %d-day window',
    (lookback_days, expected) => {
      const result = attribute(fixture.journeys, { model: 'markov', lookback_days });
      expect(result.conversions).toBe(expected.conversions);
      expect(result.unattributed.conversions).toBe(expected.unattributed.conversions);
      expectNear(result.value, expected.value, 1e-9);
      expectNear(result.unattributed.value, expected.unattributed.value, 1e-9);
      expectNear(result.conversion_probability, expected.conversion_probability, 1e-9);
      const actual = byChannel(result);
      expect(Object.keys(actual).sort()).toEqual(Object.keys(expected.channels).sort());
      for (const [channel, want] of Object.entries(expected.channels)) {
        expectNear(actual[channel].removal_effect, want.removal_effect, 1e-9);
        expectNear(actual[channel].share, want.share, 1e-9);
        expectNear(actual[channel].conversions, want.conversions, 1e-9);
        expectNear(actual[channel].value, want.value, 1e-9);
      }
    },
  );
});

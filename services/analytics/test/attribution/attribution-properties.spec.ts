import fc from 'fast-check';
import { ALL_MODELS, attribute, HEURISTIC_MODELS } from '../../src/attribution/models';
import type { Journey } from '../../src/attribution/models';
import { DAY, sum, T } from './journeys';

const channel = fc.constantFrom('search', 'email', 'social', 'display', 'video');

/** Touches up to 45 days before T and a day after it: some fall outside the window. */
const anyTouches = fc.array(
  fc.record({ channel, at: fc.integer({ min: T - 45 * DAY, max: T + DAY }) }),
  { maxLength: 8 },
);

const journey = fc.record({
  id: fc.string({ maxLength: 4 }),
  touches: anyTouches,
  converted: fc.boolean(),
  conversion_at: fc.constant(T),
  value: fc.integer({ min: 0, max: 100_000 }).map((cents) => cents / 100),
});

const settings = {
  lookback_days: fc.double({ min: 0.5, max: 60, noNaN: true }),
  half_life_days: fc.double({ min: 0.01, max: 60, noNaN: true }),
};

describe('credit adds up, for every model', () => {
  it.each(HEURISTIC_MODELS)('%s: one conversion splits into credit summing to 1', (model) => {
    fc.assert(
      fc.property(
        journey,
        settings.lookback_days,
        settings.half_life_days,
        (j, lookback_days, half_life_days) => {
          const result = attribute([{ ...j, converted: true }], {
            model,
            lookback_days,
            half_life_days,
          });
          if (result.unattributed.conversions === 1) return result.channels.length === 0;
          const credits = result.channels.map((c) => c.conversions);
          expect(credits.every((c) => c > 0)).toBe(true);
          expect(Math.abs(sum(credits) - 1)).toBeLessThan(1e-12);
          const values = result.channels.map((c) => c.value);
          expect(Math.abs(sum(values) - j.value)).toBeLessThan(1e-9);
          return true;
        },
      ),
    );
  });

  it.each(ALL_MODELS)('%s: channels share all credited conversions and value', (model) => {
    fc.assert(
      fc.property(fc.array(journey, { maxLength: 30 }), settings.lookback_days, (js, lookback) => {
        const result = attribute(js, { model, lookback_days: lookback });
        const convertedCount = js.filter((j) => j.converted).length;
        expect(result.conversions + result.unattributed.conversions).toBe(convertedCount);
        if (result.conversions === 0) return true;
        expect(Math.abs(sum(result.channels.map((c) => c.share)) - 1)).toBeLessThan(1e-12);
        const credited = sum(result.channels.map((c) => c.conversions));
        expect(Math.abs(credited / result.conversions - 1)).toBeLessThan(1e-12);
        const value = sum(result.channels.map((c) => c.value));
        expect(Math.abs(value - result.value)).toBeLessThan(1e-9 * Math.max(1, result.value));
        return true;
      }),
    );
  });
});

describe('heuristic models credit only touches of converting journeys', () => {
  it.each(HEURISTIC_MODELS)('%s: a channel seen only in lost journeys gets nothing', (model) => {
    const lostWithGhost = journey.map((j): Journey => {
      const touches = [...j.touches, { channel: 'ghost', at: T - DAY }];
      return { ...j, touches, converted: false };
    });
    // A ghost touch on a converting journey, but 31 days before it: outside the window.
    const convertedWithOldGhost = journey.map((j): Journey => {
      const touches = [...j.touches, { channel: 'ghost', at: T - 31 * DAY }];
      return { ...j, touches, converted: true };
    });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(journey, lostWithGhost, convertedWithOldGhost), { maxLength: 30 }),
        (js) => {
          const result = attribute(js, { model });
          return result.channels.every((c) => c.channel !== 'ghost');
        },
      ),
    );
  });
});

describe('markov', () => {
  it('gives P(conversion) equal to the share of counted paths that converted', () => {
    // Every touch inside the window, so a journey with touches is a counted path.
    const inWindow = fc.record({
      id: fc.constant('j'),
      touches: fc.array(fc.record({ channel, at: fc.integer({ min: T - 20 * DAY, max: T }) }), {
        minLength: 1,
        maxLength: 6,
      }),
      converted: fc.boolean(),
      conversion_at: fc.constant(T),
    });
    fc.assert(
      fc.property(fc.array(inWindow, { minLength: 1, maxLength: 40 }), (js) => {
        const result = attribute(js, { model: 'markov' });
        const rate = js.filter((j) => j.converted).length / js.length;
        expect(Math.abs(result.conversion_probability - rate)).toBeLessThan(1e-12);
        for (const c of result.channels) {
          expect(c.removal_effect).toBeGreaterThanOrEqual(0);
          expect(c.removal_effect).toBeLessThanOrEqual(1 + 1e-12);
        }
      }),
    );
  });
});

import type { ModifierOf } from '../../schema';
import { pickerOf, samplerOf, streamOf } from '../../random';
import { DAY } from '../time';
import { type ModifierCompiler, ownColumn, share } from './context';

/**
 * Journeys of channel touches before a possible conversion. A journey converts with
 * p = min(1, base + Σ contribution of each distinct channel touched). The planted truth is each
 * channel's removal effect: Σ over journeys of p − p(without the channel), the quantity a
 * Markov-chain attribution estimates, normalised to shares.
 */
export const attribution: ModifierCompiler<ModifierOf<'attribution'>> = (m, node, context) => {
  const { problems, path, seed } = context;
  const channelIndex = ownColumn(node, m.channel_column, context, 'channel_column');
  const timeIndex = ownColumn(node, m.time_column, context, 'time_column');
  const kindIndex = ownColumn(node, m.kind_column, context, 'kind_column');
  const journeyIndex =
    m.journey_column === undefined
      ? -1
      : ownColumn(node, m.journey_column, context, 'journey_column');
  if (!node.fanout) problems.add(path, 'attribution needs fanout: each unit of it is one journey');
  if (channelIndex < 0 || timeIndex < 0 || kindIndex < 0) return {};
  const channels = Object.keys(m.channels);
  const contribution = channels.map((c) => m.channels[c].contribution);
  const pick = pickerOf(channels.map((c) => m.channels[c].weight));
  const touches = samplerOf(m.touches);
  const random = streamOf(seed, node.name, '#attribution');
  const removal = new Array<number>(channels.length).fill(0);
  const touched = new Array<number>(channels.length).fill(0);
  let journeys = 0;
  let conversions = 0;
  let expected = 0;
  const p = (present: boolean[]) =>
    Math.min(
      1,
      present.reduce((sum, on, c) => (on ? sum + contribution[c] : sum), m.base_rate),
    );

  return {
    expand: (unit) => {
      const [start, end] = unit.slot;
      const convertAt = Math.floor(start + random.next() * Math.max(0, end - start));
      const from = Math.max(start, convertAt - m.lookback_days * DAY);
      const n = Math.max(1, Math.round(touches(random)));
      const times = Array.from({ length: n }, () =>
        Math.floor(from + random.next() * (convertAt - from)),
      );
      times.sort((a, b) => a - b);
      const present = new Array<boolean>(channels.length).fill(false);
      const rows = times.map((at) => {
        const c = pick(random);
        present[c] = true;
        touched[c]++;
        return new Map<number, unknown>([
          [channelIndex, channels[c]],
          [timeIndex, at],
          [kindIndex, 'touch'],
        ]);
      });
      const pAll = p(present);
      present.forEach((on, c) => {
        if (!on) return;
        present[c] = false;
        removal[c] += pAll - p(present);
        present[c] = true;
      });
      journeys++;
      expected += pAll;
      if (random.next() < pAll) {
        conversions++;
        rows.push(
          new Map<number, unknown>([
            [channelIndex, null],
            [timeIndex, convertAt],
            [kindIndex, 'conversion'],
          ]),
        );
      }
      if (journeyIndex >= 0) for (const row of rows) row.set(journeyIndex, journeys);
      return rows;
    },
    truth: () => {
      const total = removal.reduce((a, b) => a + b, 0);
      return {
        node: node.name,
        base_rate: m.base_rate,
        lookback_days: m.lookback_days,
        journeys,
        conversions,
        expected_conversions: Math.round(expected * 1e3) / 1e3,
        channels: Object.fromEntries(
          channels.map((c, i) => [
            c,
            {
              planted_contribution: contribution[i],
              touches: touched[i],
              removal_effect_share: share(removal[i], total),
            },
          ]),
        ),
      };
    },
  };
};

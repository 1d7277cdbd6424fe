import type { ModifierOf } from '../../schema';
import { pickerOf, samplerOf, streamOf } from '../../random';
import { type ModifierCompiler, ownColumn, share } from './context';

type Arm = {
  assigned: number;
  exposed: number;
  conversions: number;
  valueSum: number;
  valueSquares: number;
};

/**
 * Each unit of fanout is one participant, assigned a variant by the ratio; it converts with the
 * baseline rate times (1 + the variant's lift), and its value metric is drawn and scaled by the
 * same lift. A planted sample-ratio mismatch loses a share of one variant's exposures.
 */
export const experiment: ModifierCompiler<ModifierOf<'experiment'>> = (m, node, context) => {
  const { problems, path, seed } = context;
  const variantIndex = ownColumn(node, m.variant_column, context, 'variant_column');
  const convertedIndex = ownColumn(node, m.converted_column, context, 'converted_column');
  const valueIndex =
    m.value_column === undefined ? -1 : ownColumn(node, m.value_column, context, 'value_column');
  const variants = Object.keys(m.variants);
  if (!variants.includes(m.control))
    problems.add(`${path}.control`, `${m.control} is not one of the variants`);
  for (const v of Object.keys(m.lift)) {
    if (!variants.includes(v)) problems.add(`${path}.lift.${v}`, `${v} is not one of the variants`);
  }
  if (m.srm && !variants.includes(m.srm.variant))
    problems.add(`${path}.srm.variant`, `${m.srm.variant} is not one of the variants`);
  if ((m.value_column === undefined) !== (m.value === undefined)) {
    problems.add(path, 'value_column and value go together');
  }
  if (variantIndex < 0 || convertedIndex < 0) return {};
  const pick = pickerOf(variants.map((v) => m.variants[v]));
  const value = m.value ? samplerOf(m.value) : undefined;
  const random = streamOf(seed, node.name, `#experiment.${m.name}`);
  const arms: Arm[] = variants.map(() => ({
    assigned: 0,
    exposed: 0,
    conversions: 0,
    valueSum: 0,
    valueSquares: 0,
  }));
  const lift = variants.map((v) => (v === m.control ? 0 : (m.lift[v] ?? 0)));

  return {
    expand: () => {
      const v = pick(random);
      const converted = random.next() < Math.min(1, m.baseline_rate * (1 + lift[v]));
      const amount = value ? Math.round(value(random) * (1 + lift[v]) * 100) / 100 : undefined;
      const lost = random.next() < (m.srm?.variant === variants[v] ? m.srm.drop : 0);
      const arm = arms[v];
      arm.assigned++;
      if (lost) return [];
      arm.exposed++;
      if (converted) arm.conversions++;
      const row = new Map<number, unknown>([
        [variantIndex, variants[v]],
        [convertedIndex, converted],
      ]);
      if (amount !== undefined) {
        arm.valueSum += amount;
        arm.valueSquares += amount * amount;
        row.set(valueIndex, amount);
      }
      return [row];
    },
    truth: () => {
      const total = m.variants;
      const weight = Object.values(total).reduce((a, b) => a + b, 0);
      const control = arms[variants.indexOf(m.control)];
      const controlRate = control ? control.conversions / control.exposed : 0;
      return {
        name: m.name,
        node: node.name,
        control: m.control,
        planted_ratio: Object.fromEntries(variants.map((v) => [v, m.variants[v] / weight])),
        planted_baseline_rate: m.baseline_rate,
        planted_lift: Object.fromEntries(variants.map((v, i) => [v, lift[i]])),
        planted_srm: m.srm ?? null,
        variants: Object.fromEntries(
          variants.map((v, i) => {
            const a = arms[i];
            const rate = a.exposed === 0 ? null : a.conversions / a.exposed;
            return [
              v,
              {
                assigned: a.assigned,
                exposed: a.exposed,
                conversions: a.conversions,
                conversion_rate: share(a.conversions, a.exposed),
                observed_lift:
                  rate === null || controlRate === 0
                    ? null
                    : share(rate - controlRate, controlRate),
                ...(value ? { value_mean: share(a.valueSum, a.exposed) } : {}),
              },
            ];
          }),
        ),
      };
    },
  };
};

import { z } from 'zod';
import { EVENTS, type EventName } from './events';

/** The fields a reader checks: `true` takes the field as the contract has it, a mask narrows it. */
export type ReadMask = { readonly [field: string]: true | ReadMask };

/** What every reader checks: which event, tenant and record it is, and when it happened. */
const HEADER = { id: true, tenant: true, type: true, occurred_at: true, record_id: true } as const;

interface Def {
  type: string;
  innerType?: z.ZodType;
  discriminator?: string;
  options?: z.ZodType[];
  shape?: Record<string, z.ZodType>;
}

/** The contract's `schema` cut down to the fields `mask` names; every other field passes. */
function narrow(schema: z.ZodType, mask: ReadMask, path: string): z.ZodType {
  const def = schema.def as unknown as Def;
  if (def.type === 'optional') return narrow(def.innerType!, mask, path).optional();
  if (def.type === 'nullable') return narrow(def.innerType!, mask, path).nullable();
  if (def.type === 'union' && def.options) {
    const options = def.options.map((option) => narrow(option, mask, path));
    return def.discriminator && def.discriminator in mask
      ? z.discriminatedUnion(def.discriminator, options as never)
      : z.union(options);
  }
  if (def.type !== 'object' || !def.shape)
    throw new Error(`${path}: only an object can be narrowed`);
  const shape = def.shape;
  const fields = Object.entries(mask).map(([key, inner]) => {
    const field = shape[key];
    if (!field) throw new Error(`${path}.${key} is not in the contract`);
    return [key, inner === true ? field : narrow(field, inner, `${path}.${key}`)] as const;
  });
  return z.looseObject(Object.fromEntries(fields));
}

/**
 * A tolerant reader of an event, for a consumer that projects a few fields of events their
 * producers validated in full: it checks the envelope's header and the fields of `data` the
 * mask names, as the contract has them, and lets the rest through unchecked. `true` reads the
 * whole event.
 */
export function readerOf(name: EventName, data: ReadMask | true): z.ZodType {
  return data === true
    ? EVENTS[name].schema
    : narrow(EVENTS[name].schema, { ...HEADER, data }, name);
}

/** Readers of several events, told apart by their `type`: one mask (or `true`) per event. */
export function readerOfAll<N extends EventName>(
  names: readonly N[],
  masks: { readonly [E in N]: ReadMask | true },
): z.ZodType {
  return z.discriminatedUnion('type', names.map((name) => readerOf(name, masks[name])) as never);
}

import { MAX_BEHAVIOR_ID, MAX_CAMPAIGN_VALUE } from '@refinery/contracts';
import { z } from 'zod';

const id = z.string().min(1).max(MAX_BEHAVIOR_ID);
/** analytics.js sends `"userId": null` until someone is identified. */
const userOrAnonymousId = id.nullable().optional();
const utm = z.string().max(MAX_CAMPAIGN_VALUE).optional();
const bag = z.record(z.string(), z.unknown());

/** Postgres (and so the analytics service) stores years 0001 to 9999 only; NaN: not a date. */
const storable = (iso: string): boolean => {
  const year = new Date(iso).getUTCFullYear();
  return Number.isNaN(year) || (year >= 1 && year <= 9999);
};

/** The UTM parameters of the visit; the SDKs fill them in from the page URL. */
export const SegmentContextSchema = z.looseObject({
  campaign: z
    .looseObject({ source: utm, medium: utm, name: utm, term: utm, content: utm })
    .optional(),
});

/**
 * The fields of a call that Refinery reads, as the Segment HTTP Tracking API defines them.
 * Unknown fields (`context.library`, `integrations`, `sentAt`, ...) are accepted and left out.
 */
const common = {
  userId: userOrAnonymousId,
  anonymousId: userOrAnonymousId,
  // It becomes the Nats-Msg-Id header, which cannot carry a line break.
  messageId: id.regex(/^\P{Cc}+$/u, 'must not contain control characters').optional(),
  timestamp: z.iso
    .datetime({ offset: true })
    .max(64)
    .refine(storable, 'must be in the years 0001 to 9999 (UTC)')
    .optional(),
  context: SegmentContextSchema.optional(),
};

export const SegmentTrackSchema = z.looseObject({
  ...common,
  event: id,
  properties: bag.optional(),
});

export const SegmentIdentifySchema = z.looseObject({ ...common, traits: bag.optional() });

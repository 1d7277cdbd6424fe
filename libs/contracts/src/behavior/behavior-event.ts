import { z } from 'zod';

/** The Segment calls Refinery takes; page, screen, group and alias are not among them. */
export const BEHAVIOR_KINDS = ['track', 'identify'] as const;
export type BehaviorKind = (typeof BEHAVIOR_KINDS)[number];

/** Longest identifier or event name accepted, in UTF-16 code units. */
export const MAX_BEHAVIOR_ID = 255;
/** Longest UTM value accepted. */
export const MAX_CAMPAIGN_VALUE = 500;

const datetime = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(MAX_BEHAVIOR_ID);
const utm = z.string().max(MAX_CAMPAIGN_VALUE).nullable();

/** The UTM parameters of the visit (Segment's `context.campaign`), each null when not sent. */
export const BehaviorCampaignSchema = z.object({
  source: utm,
  medium: utm,
  name: utm,
  term: utm,
  content: utm,
});

/**
 * A behavioural event (Segment spec) as ingestion accepted it, in `records.behavior`. It is
 * not a record: ingestion does not store it and enrichment never sees it.
 */
export const BehaviorEventSchema = z.object({
  kind: z.enum(BEHAVIOR_KINDS),
  message_id: id.describe(
    "the call's messageId, or `derived-<uuid>` from a hash of the call when it had none",
  ),
  user_id: id.nullable().describe('set when anonymous_id is not (at least one of them is)'),
  anonymous_id: id.nullable(),
  event: id.nullable().describe('the event name of a track call; null for identify'),
  properties: z.record(z.string(), z.unknown()).describe('track properties; {} for identify'),
  traits: z.record(z.string(), z.unknown()).describe('identify traits; {} for track'),
  timestamp: datetime.describe("when it happened (UTC): the call's timestamp, else received_at"),
  received_at: datetime.describe('when ingestion received the request (UTC)'),
  campaign: BehaviorCampaignSchema.nullable().describe('null when no UTM value was sent'),
});

export type BehaviorEvent = z.infer<typeof BehaviorEventSchema>;
export type BehaviorCampaign = z.infer<typeof BehaviorCampaignSchema>;

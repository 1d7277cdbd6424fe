import {
  formatPath,
  validate,
  type BehaviorCampaign,
  type BehaviorEvent,
  type BehaviorKind,
  type FieldError,
} from '@refinery/contracts';
import { z } from 'zod';
import { deterministicUuid } from '../records/record-id';
import {
  SegmentContextSchema,
  SegmentIdentifySchema,
  SegmentTrackSchema,
} from './segment-call.schema';

export type CheckedCall = { ok: true; event: BehaviorEvent } | { ok: false; errors: FieldError[] };

type Campaign = z.infer<typeof SegmentContextSchema>['campaign'];

export interface CallToCheck {
  kind: BehaviorKind;
  raw: Record<string, unknown>;
  path: string;
}

/**
 * Validates one Segment call (hostile input included) and makes it the event the bus carries.
 * Properties and traits are kept as sent, `__proto__` keys too: zod's copy would drop those.
 */
export function behaviorEventOf(
  tenantId: string,
  { kind, raw, path }: CallToCheck,
  receivedAt: string,
  batchCampaign?: Campaign,
): CheckedCall {
  const result =
    kind === 'track'
      ? validate(SegmentTrackSchema, raw, path)
      : validate(SegmentIdentifySchema, raw, path);
  const errors = result.ok ? [] : result.errors;
  if (raw.userId == null && raw.anonymousId == null) {
    const message = 'a userId or an anonymousId is required';
    errors.push({ path: formatPath(['userId'], path), message });
  }
  if (!result.ok || errors.length > 0) return { ok: false, errors };
  const call = result.value;
  const timestamp = call.timestamp ? new Date(call.timestamp).toISOString() : receivedAt;
  return {
    ok: true,
    event: {
      kind,
      message_id: call.messageId ?? derivedMessageId(tenantId, kind, raw),
      user_id: call.userId ?? null,
      anonymous_id: call.anonymousId ?? null,
      event: kind === 'track' ? (raw.event as string) : null,
      properties: kind === 'track' ? bagOf(raw.properties) : {},
      traits: kind === 'identify' ? bagOf(raw.traits) : {},
      timestamp,
      received_at: receivedAt,
      campaign: campaignOf(call.context?.campaign ?? batchCampaign),
    },
  };
}

const bagOf = (value: unknown) => (value ?? {}) as Record<string, unknown>;

function campaignOf(sent: Campaign): BehaviorCampaign | null {
  if (!sent) return null;
  const { source, medium, name, term, content } = sent;
  const campaign = { source, medium, name, term, content };
  if (Object.values(campaign).every((v) => v === undefined)) return null;
  return {
    source: source ?? null,
    medium: medium ?? null,
    name: name ?? null,
    term: term ?? null,
    content: content ?? null,
  };
}

/**
 * The id of a call sent without a messageId: a hash of the tenant, the kind and the call with
 * its keys sorted, less `sentAt` (which a retry changes). A resend is one event; so are two
 * identical calls without a timestamp, which nothing tells apart.
 */
export function derivedMessageId(
  tenantId: string,
  kind: BehaviorKind,
  raw: Record<string, unknown>,
): string {
  const call = Object.fromEntries(
    Object.entries(raw).filter(([key]) => !['type', 'sentAt', 'messageId'].includes(key)),
  );
  return `derived-${deterministicUuid(tenantId, kind, canonicalJson(call))}`;
}

/** JSON with every object's keys in one order; `value` is parsed JSON of bounded depth. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      );
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

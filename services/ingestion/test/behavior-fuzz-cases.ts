import { MAX_BEHAVIOR_ID, MAX_CAMPAIGN_VALUE, type BehaviorKind } from '@refinery/contracts';
import {
  BodyRules,
  FieldRule,
  FuzzRequest,
  HostileBody,
  hostileBodies,
  hostileHttpRequests,
  HttpTarget,
} from '@refinery/testing';
import fc from 'fast-check';

/** Segment calls as ingestion's schemas define them, valid and hostile. */
type Id = 'userId' | 'anonymousId';
const SHAPES: readonly [BehaviorKind, Id][] = [
  ['track', 'userId'],
  ['track', 'anonymousId'],
  ['identify', 'userId'],
  ['identify', 'anonymousId'],
];
const UTM = ['source', 'medium', 'name', 'term', 'content'] as const;

const text = (maxLength: number) => fc.string({ unit: 'grapheme', minLength: 1, maxLength });
const bag = fc.dictionary(text(12), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
const isoTime = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z') })
  .filter((d) => !Number.isNaN(d.getTime()))
  .map((d) => d.toISOString());

/**
 * A valid call of `kind` that names its user by `id` alone (so that leaving it out is a fault),
 * with a messageId no other call has and a campaign object, so each rule's field has a parent.
 */
export const validCall = (kind: BehaviorKind, id: Id, withType: boolean) =>
  fc
    .record(
      {
        who: text(40),
        // Unbiased: a biased generator repeats its favourite uuids, and a repeat is a duplicate.
        messageId: fc.noBias(fc.uuid()).map((uuid) => `fz-${uuid}`),
        event: text(40),
        bag,
        timestamp: isoTime,
        campaign: fc.record(Object.fromEntries(UTM.map((k) => [k, text(20)])), {
          requiredKeys: [],
        }),
        library: fc.record({ name: text(20), version: text(8) }),
      },
      { requiredKeys: ['who', 'messageId', 'event', 'bag', 'campaign'] },
    )
    .map(({ who, messageId, event, bag: values, timestamp, campaign, library }) => ({
      ...(withType ? { type: kind } : {}),
      [id]: who,
      messageId,
      ...(kind === 'track' ? { event, properties: values } : { traits: values }),
      ...(timestamp ? { timestamp } : {}),
      context: { campaign, ...(library ? { library } : {}) },
      sentAt: '2026-11-20T09:30:01.000Z',
    }));

const field = (path: string, type: FieldRule['type'], maxLength?: number, required = false) => ({
  path: path.split('.'),
  type,
  maxLength,
  required,
});

/** What the schemas ask of each field of such a call. */
export function callRules(kind: BehaviorKind, id: Id, withType: boolean): BodyRules {
  const bagName = kind === 'track' ? 'properties' : 'traits';
  return {
    fields: [
      ...(withType ? [field('type', 'string', undefined, true)] : []),
      field(id, 'string', MAX_BEHAVIOR_ID, true),
      ...(kind === 'track' ? [field('event', 'string', MAX_BEHAVIOR_ID, true)] : []),
      field('messageId', 'string', MAX_BEHAVIOR_ID),
      field('timestamp', 'string', 64),
      field(bagName, 'object'),
      field('context', 'object'),
      field('context.campaign', 'object'),
      ...UTM.map((k) => field(`context.campaign.${k}`, 'string', MAX_CAMPAIGN_VALUE)),
    ],
    openObjects: [[], [bagName], ['context'], ['context', 'campaign']],
  };
}

export type CallBody = HostileBody & { kind: string; route: BehaviorKind };

/** Calls of every shape, valid and hostile, for /v1/track and /v1/identify or a batch. */
export const callBodies = (withType: boolean, kind?: BehaviorKind) =>
  fc.oneof(
    ...SHAPES.filter(([k]) => kind === undefined || k === kind).map(([k, id]) =>
      hostileBodies(validCall(k, id, withType), callRules(k, id, withType)).map(
        (body): CallBody => ({ ...body, route: k }),
      ),
    ),
  );

/** A batch of calls, some hostile: the answer is judged call by call. */
export type BatchRequest = FuzzRequest & { calls: CallBody[] };

/** Single calls as an SDK sends them (or worse), and batches mixing valid and hostile ones. */
export function segmentCases(target: Omit<HttpTarget, 'path'>) {
  const single = (kind: BehaviorKind) =>
    hostileHttpRequests(callBodies(false, kind), { ...target, path: `/v1/${kind}` }).map(
      (request) => ({ ...request, route: kind }),
    );
  const batch = fc
    .array(
      callBodies(true).filter((b) => b.bytes === undefined),
      { minLength: 1, maxLength: 8 },
    )
    .map((calls): BatchRequest => ({
      kind: 'batch',
      method: target.method,
      path: '/v1/batch',
      headers: { 'content-type': 'application/json', [target.keyHeader]: target.key },
      body: JSON.stringify({ batch: calls.map((c) => c.json) }),
      refuse: calls.every((c) => c.refuse),
      calls,
    }));
  return fc.oneof(
    { weight: 3, arbitrary: single('track') },
    { weight: 3, arbitrary: single('identify') },
    { weight: 2, arbitrary: batch },
  );
}

import {
  EVENTS,
  natsServices,
  paramsOf,
  TenantSlugSchema,
  type EventName,
} from '@refinery/contracts';
import { DEAD_LETTER_REASONS } from '@refinery/messaging';
import { parseDurations } from '@refinery/runtime';
import { z } from 'zod';

/** A page of `list` holds at most this many dead letters. */
export const MAX_PAGE = 1_000;
/** A replay of every match replays at most this many per call (the rest: call again). */
export const MAX_REPLAY = 10_000;

const TIME_HINT = 'must be an ISO time (2026-05-01T10:00:00Z) or a duration ago (30m, 2h, 7d)';

/**
 * `--since 2h` is two hours before `now`; `--since 2026-05-01T10:00:00Z` is that time. Undefined
 * when the text is neither.
 */
export function timeOf(text: string, now: Date): Date | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(trimmed)) {
    return new Date(now.getTime() - parseDurations(trimmed)[0]);
  }
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed))
    return undefined;
  const time = new Date(trimmed);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

const time = (now: () => Date) =>
  z.string().transform((text, ctx) => {
    const at = timeOf(text, now());
    if (at === undefined) {
      ctx.addIssue({ code: 'custom', message: TIME_HINT });
      return z.NEVER;
    }
    return at;
  });

/** true or false, also as the text a query string or a command line carries. */
const flag = z.preprocess(
  (value) => (value === 'true' ? true : value === 'false' ? false : value),
  z.boolean({ error: 'must be true or false' }),
);

/** A whole number, also as text. */
const whole = (min: number, max: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
    z
      .number({ error: `must be a whole number from ${min} to ${max}` })
      .int(`must be a whole number from ${min} to ${max}`)
      .min(min, `must be a whole number from ${min} to ${max}`)
      .max(max, `must be a whole number from ${min} to ${max}`),
  );

/** A dead letter's DLQ sequence, as a path or command-line argument. */
export const DlqSeqSchema = whole(1, Number.MAX_SAFE_INTEGER);

const services = natsServices();

/** What selects dead letters; every one given must hold. */
const filterFields = (now: () => Date) => ({
  service: z
    .enum(services as [string, ...string[]], {
      error: `must be one of the services: ${services.join(', ')}`,
    })
    .optional(),
  reason: z
    .enum(DEAD_LETTER_REASONS, {
      error: `must be one of the reasons: ${DEAD_LETTER_REASONS.join(', ')}`,
    })
    .optional(),
  /** The tenant the original subject names (the HTTP API takes it as `?tenant=`). */
  tenant: TenantSlugSchema.optional(),
  since: time(now).optional(),
  until: time(now).optional(),
  /** Only those replayed already (true), or never replayed (false). */
  replayed: flag.optional(),
});

export const FILTER_NAMES = ['service', 'reason', 'tenant', 'since', 'until', 'replayed'] as const;

interface Window {
  since?: Date;
  until?: Date;
}

function checkWindow(value: Window, ctx: z.RefinementCtx): void {
  if (value.since && value.until && value.since > value.until)
    ctx.addIssue({ code: 'custom', path: ['until'], message: 'must not be before since' });
}

/** A purge or a replay of every match names a filter, or says `all` outright. */
function checkNamed(
  value: Partial<Record<(typeof FILTER_NAMES)[number], unknown>> & { all: boolean },
  ctx: z.RefinementCtx,
): void {
  const named = FILTER_NAMES.some((name) => value[name] !== undefined);
  if (!named && !value.all)
    ctx.addIssue({
      code: 'custom',
      path: ['all'],
      message: `name at least one filter (${FILTER_NAMES.join(', ')}), or set all to true to take every dead letter`,
    });
}

const by = z.string().trim().min(1).max(100);

export function dlqSchemas(now: () => Date = () => new Date()) {
  const filters = filterFields(now);
  return {
    list: z
      .strictObject({
        ...filters,
        /** The cursor: dead letters after this DLQ sequence. */
        after: whole(0, Number.MAX_SAFE_INTEGER).optional(),
        limit: whole(1, MAX_PAGE).default(50),
      })
      .superRefine(checkWindow),
    replayOne: z.strictObject({ force: flag.default(false), by: by.optional() }),
    replayMatching: z
      .strictObject({
        ...filters,
        all: flag.default(false),
        force: flag.default(false),
        dry_run: flag.default(false),
        limit: whole(1, MAX_REPLAY).default(1_000),
        by: by.optional(),
      })
      .superRefine(checkWindow)
      .superRefine(checkNamed),
    purge: z
      .strictObject({ ...filters, all: flag.default(false), dry_run: flag.default(false) })
      .superRefine(checkWindow)
      .superRefine(checkNamed),
  };
}

type Schemas = ReturnType<typeof dlqSchemas>;
export type DlqListQuery = z.infer<Schemas['list']>;
export type DlqReplayOne = z.infer<Schemas['replayOne']>;
export type DlqReplayMatching = z.infer<Schemas['replayMatching']>;
export type DlqPurge = z.infer<Schemas['purge']>;
export type DlqFilter = Pick<DlqListQuery, (typeof FILTER_NAMES)[number]>;

/** Every event, the most literal template first: `ingest.rejected.{tenant}` before `ingest.{tenant}.{type}`. */
const TEMPLATES = (Object.keys(EVENTS) as EventName[]).sort(
  (a, b) =>
    EVENTS[b].subject.replace(/\{\w+\}/g, '').length -
    EVENTS[a].subject.replace(/\{\w+\}/g, '').length,
);

/** The tenant a dead letter's original subject names, if any. */
export function tenantOfSubject(subject: string): string | undefined {
  for (const name of TEMPLATES) {
    const params = paramsOf(name, subject) as Record<string, string> | undefined;
    if (params) return params.tenant;
  }
  return undefined;
}

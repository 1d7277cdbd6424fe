import { BEHAVIOR_KINDS, type BehaviorKind, type FieldError } from '@refinery/contracts';
import { problemFor, ProblemException } from '@refinery/runtime';
import { MAX_BATCH_EVENTS } from '../config';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** One call of a request: its kind (from the route or its `type`), the body, its path. */
export type BehaviorCall =
  | { ok: true; kind: BehaviorKind; raw: Record<string, unknown>; path: string }
  | { ok: false; errors: FieldError[] };

/**
 * A request to /v1/track, /v1/identify or /v1/batch read as calls; the shape of the request is
 * checked here, each call later. A batch's own `context` applies to calls without one.
 */
export class BehaviorCallsCommand {
  private constructor(
    readonly calls: BehaviorCall[],
    readonly batch: boolean,
    /** A batch body but its calls: its `context`, and what SDKs add (`sentAt`, ...). */
    readonly shared: Record<string, unknown> = {},
  ) {}

  static single(kind: BehaviorKind, body: unknown): BehaviorCallsCommand {
    if (!isObject(body)) throw badShape('(root)', 'the body must be one call, a JSON object');
    return new BehaviorCallsCommand([{ ok: true, kind, raw: body, path: '' }], false);
  }

  static batch(body: unknown): BehaviorCallsCommand {
    if (!isObject(body)) throw badShape('(root)', 'the body must be {"batch": [...]}');
    const { batch, ...shared } = body;
    if (!Array.isArray(batch)) throw badShape('batch', 'must be an array of calls');
    if (batch.length === 0) throw badShape('batch', 'must hold at least one call');
    if (batch.length > MAX_BATCH_EVENTS) {
      throw new ProblemException(
        problemFor(
          413,
          `a batch holds at most ${MAX_BATCH_EVENTS} calls; this one has ${batch.length}`,
        ),
      );
    }
    return new BehaviorCallsCommand(batch.map(callOf), true, shared);
  }
}

function callOf(raw: unknown, index: number): BehaviorCall {
  const path = `batch[${index}]`;
  if (!isObject(raw)) return { ok: false, errors: [{ path, message: 'must be a JSON object' }] };
  const kind = BEHAVIOR_KINDS.find((k) => k === raw.type);
  if (kind) return { ok: true, kind, raw, path };
  const message = `must be "track" or "identify" (page, screen, group and alias are not taken)`;
  return { ok: false, errors: [{ path: `${path}.type`, message }] };
}

const badShape = (path: string, message: string) =>
  new ProblemException(problemFor(400, `${path}: ${message}`, { errors: [{ path, message }] }));

import { problemFor, ProblemException } from '@refinery/runtime';
import { MAX_BATCH_EVENTS } from '../config';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A request body read as one event or a batch; its shape is checked here, its events later. */
export class IngestEventsCommand {
  private constructor(
    readonly events: unknown[],
    readonly batch: boolean,
  ) {}

  static fromBody(body: unknown): IngestEventsCommand {
    if (isObject(body) && 'events' in body) {
      const { events } = body;
      if (!Array.isArray(events)) throw badShape('events', 'must be an array of events');
      if (events.length === 0) throw badShape('events', 'must hold at least one event');
      if (events.length > MAX_BATCH_EVENTS) {
        throw new ProblemException(
          problemFor(
            413,
            `a batch holds at most ${MAX_BATCH_EVENTS} events; this one has ${events.length}`,
          ),
        );
      }
      return new IngestEventsCommand(events, true);
    }
    if (isObject(body)) return new IngestEventsCommand([body], false);
    throw badShape('(root)', 'the body must be one event object or {"events": [...]}');
  }

  pathOf(index: number): string {
    return this.batch ? `events[${index}]` : '';
  }
}

const badShape = (path: string, message: string) =>
  new ProblemException(problemFor(400, `${path}: ${message}`, { errors: [{ path, message }] }));

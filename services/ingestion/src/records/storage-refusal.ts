import { causesOf, describeDatabaseError } from '@refinery/persistence';

/** Why an event cannot be stored or published however often it is tried. */
export interface Refusal {
  reason: string;
  /** Too large rather than malformed: HTTP says 413. */
  tooLarge: boolean;
}

/**
 * The refusal an error stands for when the data caused it: Postgres refused a value (SQLSTATE
 * class 22, 23 or 54), or the event makes a message larger than the bus takes. Undefined for
 * anything else, which retrying may cure (a transient failure) or no client can (a bug).
 */
export function refusalOf(error: unknown): Refusal | undefined {
  const database = describeDatabaseError(error);
  if (database?.kind === 'input') {
    return {
      reason: `the database refused the event: ${database.message} (SQLSTATE ${database.code})`,
      tooLarge: database.code === '54000',
    };
  }
  if (
    [...causesOf(error)].some((e) => typeof e.message === 'string' && /max_payload/.test(e.message))
  ) {
    return {
      reason:
        'the event is too large to publish: with its envelope it exceeds the bus message limit',
      tooLarge: true,
    };
  }
  return undefined;
}

/** A failure after part of a batch was stored and published: retrying the rest is safe. */
export class PartlyStoredError extends Error {
  constructor(cause: unknown) {
    super(`part of the batch was stored before this failure: ${String(cause)}`, { cause });
    this.name = 'PartlyStoredError';
  }
}

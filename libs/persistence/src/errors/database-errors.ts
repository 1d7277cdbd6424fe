/**
 * What a failed statement says about trying again. `input`: the data in the statement is what
 * Postgres refused (a data exception, an integrity violation, a program limit); the same
 * statement fails again, so the caller should be told, not asked to retry. `transient`: the
 * database could not serve the statement just now (connection lost, overloaded, shutting
 * down, a deadlock or serialization conflict); the same statement may well pass later.
 * `other`: neither, such as a bug in the statement itself.
 */
export type DatabaseErrorKind = 'input' | 'transient' | 'other';

export interface DatabaseErrorDescription {
  kind: DatabaseErrorKind;
  /** The SQLSTATE, when Postgres gave one. */
  code?: string;
  /** Postgres's message (with its detail), e.g. `invalid input syntax for type json: ...`. */
  message: string;
}

/** SQLSTATE classes whose errors come from the data sent: 22 data exception, 23 integrity, 54 limits. */
const INPUT_CLASSES = new Set(['22', '23', '54']);
/** 08 connection exception, 53 insufficient resources, 58 system error (I/O). */
const TRANSIENT_CLASSES = new Set(['08', '53', '58']);
const TRANSIENT_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '57P05', // idle_session_timeout
]);
/** Socket errors on the way to the database. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);
/** What node-postgres and its pool say when there is no usable connection. */
const TRANSIENT_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|connection timeout|Client has encountered a connection error|Cannot use a pool after calling end|Client was closed and is not queryable/i;

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** What an error may carry, read without trusting its type. */
export interface ErrorFields {
  code?: unknown;
  severity?: unknown;
  detail?: unknown;
  message?: unknown;
  cause?: unknown;
  driverError?: unknown;
}

/** The error and what it wraps (TypeORM's `driverError`, an `Error`'s `cause`), outermost first. */
export function* causesOf(error: unknown): Generator<ErrorFields> {
  const seen = new Set<unknown>();
  let current = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const fields = current as ErrorFields;
    yield fields;
    current = fields.driverError ?? fields.cause;
  }
}

function kindOfCode(code: string): DatabaseErrorKind {
  if (TRANSIENT_CODES.has(code) || TRANSIENT_CLASSES.has(code.slice(0, 2))) return 'transient';
  if (INPUT_CLASSES.has(code.slice(0, 2))) return 'input';
  return 'other';
}

/** Says what a database error means for retrying, or undefined when it is no database error. */
export function describeDatabaseError(error: unknown): DatabaseErrorDescription | undefined {
  for (const e of causesOf(error)) {
    const message = typeof e.message === 'string' ? e.message : '';
    const code = typeof e.code === 'string' ? e.code : undefined;
    // Postgres's own errors carry a severity beside the SQLSTATE; Node's carry neither.
    if (code && SQLSTATE.test(code) && typeof e.severity === 'string') {
      const detail = typeof e.detail === 'string' && e.detail ? ` (${e.detail})` : '';
      return { kind: kindOfCode(code), code, message: `${message}${detail}` };
    }
    if ((code && NETWORK_CODES.has(code)) || TRANSIENT_MESSAGES.test(message))
      return { kind: 'transient', message };
  }
  return undefined;
}

/** The database could not serve the statement just now; the same statement may pass later. */
export const isTransientDatabaseError = (error: unknown): boolean =>
  describeDatabaseError(error)?.kind === 'transient';

/** Postgres refused the data itself: sending the same again fails the same way. */
export const isInputDatabaseError = (error: unknown): boolean =>
  describeDatabaseError(error)?.kind === 'input';

import { causesOf, isTransientDatabaseError } from '@refinery/persistence';
import { errors } from '@nats-io/transport-node';

const NATS_TRANSIENT = [
  errors.TimeoutError,
  errors.ClosedConnectionError,
  errors.ConnectionError,
  errors.DrainingConnectionError,
  errors.NoRespondersError,
  errors.RequestError,
];

/**
 * What ConnectionMonitor and the publisher say while NATS cannot be reached, and what JetStream
 * says of a stream at its limits (docs/streams.md): room comes back as retention ages it.
 */
const NATS_UNAVAILABLE =
  /^NATS (connection is (closed|draining)|disconnected|unavailable)|no ack within \d+ ms|maximum (bytes|messages) exceeded/;

/**
 * A failure that says nothing about the input: the database or NATS could not serve the
 * request just now, and the same work may well succeed later. Anything else (a refused
 * value, a bug) is not transient.
 */
export function isTransientFailure(error: unknown): boolean {
  if (isTransientDatabaseError(error)) return true;
  for (const e of causesOf(error)) {
    if (NATS_TRANSIENT.some((type) => e instanceof type)) return true;
    if (e instanceof Error && NATS_UNAVAILABLE.test(e.message)) return true;
  }
  return false;
}

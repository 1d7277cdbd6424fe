import { HttpPublisher } from './http-publisher';
import { NatsPublisher } from './nats-publisher';
import type { EventPublisher } from './publisher';

export { BEHAVIOR_EVENT_TYPES, RECORD_EVENT_TYPES } from './counts';
export { HttpPublisher, type HttpPublisherOptions, SERVER_MAX_BATCH } from './http-publisher';
export { NatsPublisher, type NatsPublisherOptions } from './nats-publisher';
export type { EventPublisher, PublishSummary, TypeCounts } from './publisher';

export interface PublishOptions {
  /** HTTP: a tenant key with the `ingest` scope. */
  apiKey?: string;
  /** NATS: the tenant of the `ingest.<tenant>.<type>` subjects. */
  tenant?: string;
  /** Events per second; undefined: as fast as the target takes them. */
  rate?: number;
  /** HTTP: events (records or Segment calls) per request and requests in flight. */
  batchSize?: number;
  concurrency?: number;
  /** NATS: a user of the server; `nats://user:password@host:port` says the same. */
  user?: string;
  password?: string;
}

/** A publisher for `http(s)://ingestion-host:port` or `nats://host:port`. */
export function publisherFor(target: string, options: PublishOptions = {}): EventPublisher {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new Error(
      `${target} is not a URL: say http(s)://ingestion-host:port or nats://host:port`,
    );
  }
  const { rate } = options;
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (!options.apiKey)
      throw new Error(`publishing to ${target} needs an API key with the ingest scope`);
    const baseUrl = url.href.replace(/\/+$/, '');
    return new HttpPublisher({ ...options, baseUrl, apiKey: options.apiKey, rate });
  }
  if (url.protocol === 'nats:') {
    if (!options.tenant)
      throw new Error(`publishing to ${target} needs the tenant whose subjects to use`);
    const user = decodeURIComponent(url.username) || options.user;
    const password = decodeURIComponent(url.password) || options.password;
    // The credentials travel as options, and out of the URL that error messages repeat.
    const bare = `nats://${url.host}`;
    return new NatsPublisher({ url: bare, tenant: options.tenant, user, password, rate });
  }
  throw new Error(
    `cannot publish to ${url.protocol}//: use http://, https:// (ingestion's API) or nats://`,
  );
}

import type { GeneratedEvent } from './event-template';

export interface TypeCounts {
  sent: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  /** Generated but not sent: the target has no way in for the type (`track` over NATS). */
  skipped: number;
}

export interface PublishSummary extends TypeCounts {
  target: string;
  by_type: Record<string, TypeCounts>;
  seconds: number;
}

/** Sends generated events to a running Refinery; the generator waits on `pause()`. */
export interface EventPublisher {
  publish(event: GeneratedEvent): void;
  /** A promise while too many events are in flight, so memory stays bounded. */
  pause(): Promise<void> | undefined;
  /** The counts so far, for a progress line while the run goes on. */
  counts?(): TypeCounts;
  /** Sends what is left and reports. */
  close(): Promise<PublishSummary>;
}

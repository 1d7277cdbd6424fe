import type { PublishOptions } from './jetstream.publisher';

/** What to pass to `JetStreamClient.emit(subject, record)` to set the msg id and headers. */
export class JetStreamRecord<T extends object = object> {
  constructor(
    readonly payload: T,
    readonly options: PublishOptions,
  ) {}
}

/** The module's NatsConnection; inject with `@Inject(NATS_CONNECTION)`. */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

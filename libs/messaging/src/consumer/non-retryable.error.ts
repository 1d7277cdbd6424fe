const NON_RETRYABLE = Symbol.for('refinery.messaging.non-retryable');

/** Thrown by a handler when retrying cannot help: the message goes to the dead-letter queue at once. */
export class NonRetryableError extends Error {
  // A brand rather than instanceof alone: two copies of this module must still agree.
  readonly [NON_RETRYABLE] = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

export function isNonRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && NON_RETRYABLE in error;
}

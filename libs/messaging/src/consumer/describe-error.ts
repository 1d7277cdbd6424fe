/** One line naming an error for logs and the DLQ reason header. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String(error.message);
  }
  return String(error);
}

/**
 * What Nest's RPC layer makes of an unknown error when no filter hands the original on
 * (`{ status: 'error', message: 'Internal server error' }`): a NonRetryableError would be lost.
 */
export function isMaskedByNest(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    !(error instanceof Error) &&
    'status' in error &&
    error.status === 'error' &&
    'message' in error
  );
}

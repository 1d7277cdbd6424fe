import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's RPC layer turns any error it does not know into `{ status: 'error', message:
 * 'Internal server error' }`, which would hide a NonRetryableError from the server. This
 * filter hands the original error on. `@JetStreamConsumer` applies it to each handler, where
 * it takes precedence over app-wide filters. Do not register it app-wide as well: Nest tries
 * the last registered global filter first, so it would shadow the HTTP error filter.
 */
@Catch()
export class RpcErrorPassthroughFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    // Outside RPC, throwing lets Nest's own handling carry on as without this filter.
    if (host.getType() !== 'rpc') throw exception;
    return throwError(() => exception);
  }
}

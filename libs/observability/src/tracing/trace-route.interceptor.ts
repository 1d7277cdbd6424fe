import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { Request } from 'express';
import { Observable } from 'rxjs';

import { routeTemplate } from '../metrics/http-metrics.middleware';

/**
 * Tells the HTTP instrumentation which route matched, so the server span is named
 * `GET /orders/:id` and carries `http.route` instead of being just `GET`.
 */
@Injectable()
export class TraceRouteInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const rpc = getRPCMetadata(context.active());
    if (rpc?.type === RPCType.HTTP && execution.getType() === 'http') {
      const route = routeTemplate(execution.switchToHttp().getRequest<Request>());
      if (route !== undefined) rpc.route = route;
    }
    return next.handle();
  }
}

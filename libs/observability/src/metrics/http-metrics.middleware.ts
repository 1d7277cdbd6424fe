import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

import { httpRequestDuration } from './init-metrics';

/** Label for requests no route matched, so scanners cannot blow up the series count. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Times every request until its response is sent, labelled by route template, not URL. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    const stopTimer = httpRequestDuration.startTimer();
    response.once('finish', () => {
      stopTimer({
        method: request.method,
        route: routeTemplate(request) ?? UNMATCHED_ROUTE,
        status: String(response.statusCode),
      });
    });
    next();
  }
}

/** The matched route's template (`/orders/:id`), once express has matched one. */
export function routeTemplate(request: Request): string | undefined {
  const route: unknown = request.route;
  if (
    typeof route === 'object' &&
    route !== null &&
    'path' in route &&
    typeof route.path === 'string'
  ) {
    return `${request.baseUrl}${route.path}`;
  }
  return undefined;
}

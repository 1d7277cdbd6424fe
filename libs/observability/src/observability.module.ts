import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';

import { HealthController, READINESS_TIMEOUT_MS } from './health/health.controller';
import { HealthRegistry } from './health/health-registry';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { initMetrics } from './metrics/init-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { TraceRouteInterceptor } from './tracing/trace-route.interceptor';

export interface ObservabilityOptions {
  service: string;
  /** How long each readiness check may take before it counts as failed. */
  readinessTimeoutMs?: number;
}

/** `/metrics`, `/health/live`, `/health/ready` and the registry other modules add checks to. */
@Global()
@Module({})
export class ObservabilityModule implements NestModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    initMetrics(options.service);
    return {
      module: ObservabilityModule,
      controllers: [MetricsController, HealthController],
      providers: [
        HealthRegistry,
        { provide: READINESS_TIMEOUT_MS, useValue: options.readinessTimeoutMs ?? 2000 },
        { provide: APP_INTERCEPTOR, useClass: TraceRouteInterceptor },
      ],
      exports: [HealthRegistry],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('{*path}');
  }
}

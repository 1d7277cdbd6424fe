import {
  Controller,
  Get,
  INestApplication,
  Injectable,
  Module,
  OnModuleInit,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AddressInfo } from 'node:net';

import { HealthRegistry, ObservabilityModule, ReadyResponse } from '../src';

/** Stands in for a module that owns a dependency and reports on it. */
@Injectable()
class DependencyChecks implements OnModuleInit {
  natsFailure: string | undefined;
  natsHangs = false;

  constructor(private readonly registry: HealthRegistry) {}

  onModuleInit(): void {
    this.registry.register({ name: 'postgres', check: async () => undefined });
    this.registry.register({
      name: 'nats',
      check: () => {
        if (this.natsHangs) return new Promise<void>(() => undefined);
        return this.natsFailure ? Promise.reject(new Error(this.natsFailure)) : Promise.resolve();
      },
    });
  }
}

@Controller('orders')
class OrdersController {
  @Get(':id')
  find(): { id: string } {
    return { id: 'o-1' };
  }
}

@Module({ providers: [DependencyChecks], controllers: [OrdersController] })
class FeatureModule {}

@Module({
  imports: [
    ObservabilityModule.forRoot({ service: 'obs-test', readinessTimeoutMs: 200 }),
    FeatureModule,
  ],
})
class AppModule {}

describe('ObservabilityModule over HTTP', () => {
  let app: INestApplication;
  let base: string;
  let checks: DependencyChecks;

  beforeAll(async () => {
    app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;
    checks = app.get(DependencyChecks);
  });

  afterAll(() => app.close());

  beforeEach(() => {
    checks.natsFailure = undefined;
    checks.natsHangs = false;
  });

  it('answers liveness', async () => {
    const response = await fetch(`${base}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('is ready when every registered check passes', async () => {
    const response = await fetch(`${base}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', nats: 'ok' } });
  });

  it('answers 503 naming the failing check and its error', async () => {
    checks.natsFailure = 'CONNECTION_REFUSED';
    const response = await fetch(`${base}/health/ready`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as ReadyResponse;
    expect(body).toEqual({
      status: 'unavailable',
      checks: { postgres: 'ok', nats: 'CONNECTION_REFUSED' },
    });
  });

  it('fails a check that does not answer in time instead of hanging', async () => {
    checks.natsHangs = true;
    const started = Date.now();
    const response = await fetch(`${base}/health/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'unavailable',
      checks: { postgres: 'ok', nats: 'timed out after 200 ms' },
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('documents the health routes in OpenAPI but not the scrape endpoint', () => {
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/health/live', '/health/ready']),
    );
    expect(document.paths).not.toHaveProperty('/metrics');
  });

  it('exposes default process metrics labelled with the service', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    const contentType = response.headers.get('content-type') ?? '';
    expect(contentType.split(';')[0]).toBe('text/plain');
    expect(contentType).toContain('version=0.0.4');
    const samples = parseSamples(await response.text());
    expect(find(samples, 'process_cpu_user_seconds_total', { service: 'obs-test' })).toBeDefined();
    expect(find(samples, 'nodejs_eventloop_lag_seconds', { service: 'obs-test' })).toBeDefined();
  });

  it('records request durations by route template, not by URL', async () => {
    await fetch(`${base}/orders/o-1`);
    await fetch(`${base}/orders/o-2`);
    await fetch(`${base}/no-such-page`);
    const samples = parseSamples(await (await fetch(`${base}/metrics`)).text());
    const count = (labels: Record<string, string>): number | undefined =>
      find(samples, 'refinery_http_request_duration_seconds_count', {
        service: 'obs-test',
        method: 'GET',
        ...labels,
      })?.value;
    expect(count({ route: '/orders/:id', status: '200' })).toBe(2);
    expect(count({ route: 'unmatched', status: '404' })).toBe(1);
    expect(samples.some((s) => s.labels.route === '/orders/o-1')).toBe(false);
  });
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Reads the Prometheus text format (enough of it for these assertions). */
function parseSamples(body: string): Sample[] {
  return body
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
      );
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

function find(samples: Sample[], name: string, labels: Record<string, string>): Sample | undefined {
  return samples.find(
    (s) =>
      s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
}

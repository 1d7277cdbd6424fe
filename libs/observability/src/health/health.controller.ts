import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';

import { HealthRegistry } from './health-registry';
import { runReadinessChecks } from './run-readiness-checks';

export const READINESS_TIMEOUT_MS = Symbol('READINESS_TIMEOUT_MS');

export interface LiveResponse {
  status: 'ok';
}

export interface ReadyResponse {
  status: 'ok' | 'unavailable';
  checks: Record<string, string>;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly registry: HealthRegistry,
    @Inject(READINESS_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  @Get('live')
  @ApiOkResponse({ description: 'The process is up and serving HTTP.' })
  live(): LiveResponse {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOkResponse({ description: 'Every dependency answered: `checks` maps each to "ok".' })
  @ApiServiceUnavailableResponse({
    description: 'A dependency failed: its entry in `checks` says why.',
  })
  async ready(): Promise<ReadyResponse> {
    const report = await runReadinessChecks(this.registry.list(), this.timeoutMs);
    if (!report.ready) {
      throw new ServiceUnavailableException({ status: 'unavailable', checks: report.checks });
    }
    return { status: 'ok', checks: report.checks };
  }
}

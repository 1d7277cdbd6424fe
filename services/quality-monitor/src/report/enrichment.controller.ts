import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantSlugSchema } from '@refinery/contracts';
import { problemFor, ProblemException } from '@refinery/runtime';
import { z } from 'zod';
import { EnrichmentReport } from './enrichment-report';

const LimitSchema = z.coerce.number().int().min(1).max(1000).default(100);

function parse<T>(schema: z.ZodType<T>, value: unknown, path: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const message = result.error.issues.map((i) => i.message).join('; ');
  throw new ProblemException(
    problemFor(400, `${path}: ${message}`, { errors: [{ path, message }] }),
  );
}

/** Where a tenant's records stand: the on-call engineer's first three questions. */
@ApiTags('enrichment')
@Controller('api/enrichment')
export class EnrichmentController {
  constructor(private readonly reports: EnrichmentReport) {}

  @Get('health/:tenant')
  @ApiOperation({
    summary: 'OK, WARNING or CRITICAL, with every threshold and the value against it',
  })
  async health(@Param('tenant') tenant: string) {
    const report = await this.reports.report(parse(TenantSlugSchema, tenant, 'tenant'));
    return this.reports.health(report);
  }

  @Get('report/:tenant')
  @ApiOperation({
    summary:
      'Completeness, backlog, failure rate, quality score, latency, per-stage figures and the confidence distribution',
  })
  report(@Param('tenant') tenant: string) {
    return this.reports.report(parse(TenantSlugSchema, tenant, 'tenant'));
  }

  @Get('backlog/:tenant')
  @ApiOperation({ summary: 'Records awaiting processing, oldest first, with each stage status' })
  async backlog(@Param('tenant') tenant: string, @Query('limit') limit?: string) {
    const slug = parse(TenantSlugSchema, tenant, 'tenant');
    const records = await this.reports.backlog(slug, parse(LimitSchema, limit, 'limit'));
    return { tenant: slug, records };
  }
}

import { createReadStream, rmSync } from 'node:fs';
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, parseInput, RequireScope, type TenantRef } from '@refinery/runtime';
import type { Response } from 'express';
import { z } from 'zod';
import { CurateUseCase } from '../datasets/curate.use-case';
import { EXPORT_FORMATS } from './export-example';
import { ExportExamplesUseCase } from './export-examples.use-case';
import { SPLIT_NAMES } from './splits';

const ratio = z.coerce.number().min(0).max(1);
const ExportQuerySchema = z.strictObject({
  format: z.enum(EXPORT_FORMATS),
  ref: z.string().min(1).default('main'),
  split: z.enum(SPLIT_NAMES).optional(),
  train: ratio.optional(),
  validation: ratio.optional(),
  test: ratio.optional(),
  stratify: z.enum(['true', 'false']).default('false'),
});

@ApiTags('datasets')
@ApiSecurity('api-key')
@Controller('api/datasets')
export class ExportController {
  constructor(
    private readonly curate: CurateUseCase,
    private readonly exports: ExportExamplesUseCase,
  ) {}

  @Get(':name/export')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Streams the examples at ?ref= as ?format=jsonl|csv|parquet|tfrecord|hf (a tar of the Hugging Face layout); ?split=train|validation|test, ratios ?train=&validation=&test= (0.8/0.1/0.1), ?stratify=true',
  })
  async export(
    @CurrentTenant() tenant: TenantRef,
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const q = parseInput(ExportQuerySchema, query);
    const dataset = await this.curate.dataset(tenant.slug, name);
    const given = { train: q.train, validation: q.validation, test: q.test };
    const ratios = Object.values(given).some((v) => v !== undefined) ? given : undefined;
    const file = await this.exports.execute(dataset, {
      format: q.format,
      ref: q.ref,
      split: q.split,
      ratios: ratios as Record<string, number> | undefined,
      stratify: q.stratify === 'true',
    });
    res.setHeader('content-type', file.contentType);
    res.setHeader('content-length', String(file.bytes));
    res.setHeader('content-disposition', `attachment; filename="${file.fileName}"`);
    res.setHeader('x-refinery-rows', String(file.rows));
    const stream = createReadStream(file.path);
    const cleanup = () => rmSync(file.dir, { recursive: true, force: true });
    res.on('close', cleanup);
    stream.on('error', (error) => res.destroy(error));
    stream.pipe(res);
  }
}

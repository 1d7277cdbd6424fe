import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  CurrentTenant,
  parseInput,
  problemFor,
  ProblemException,
  problemResponse,
  RequireScope,
  type Principal,
  type TenantRef,
} from '@refinery/runtime';
import { z } from 'zod';
import { HistoryUseCase } from '../versioning/history.use-case';
import { CurateUseCase } from './curate.use-case';
import { DatasetMetricsUseCase } from './dataset-metrics.use-case';
import { DatasetsRepository } from './datasets.repository';
import { ListExamplesUseCase } from './list-examples.use-case';
import {
  AddExamplesSchema,
  BranchOnlySchema,
  BranchSchema,
  CommitSchema,
  CreateDatasetSchema,
  MergeSchema,
  NAME,
  PatchExampleSchema,
  RefSchema,
  RollbackSchema,
  TagSchema,
} from './requests';

/** Who acts: the API key's id, or the operator. */
export const actorOf = (who: Principal): string =>
  who.kind === 'tenant' ? `key:${who.keyId}` : 'operator';

const LIMIT = z.coerce.number().int().min(1).max(10_000).default(100);

/** Datasets, their examples and their history; the tenant comes from the key. */
@ApiTags('datasets')
@ApiSecurity('api-key')
@Controller('api/datasets')
export class DatasetsController {
  constructor(
    private readonly datasets: DatasetsRepository,
    private readonly curate: CurateUseCase,
    private readonly history: HistoryUseCase,
    private readonly examples: ListExamplesUseCase,
    private readonly metrics: DatasetMetricsUseCase,
  ) {}

  @Post()
  @HttpCode(201)
  @RequireScope('review')
  @ApiOperation({ summary: 'Creates a dataset with an empty main branch: {"name","description"}' })
  @ApiResponse({ status: 409, ...problemResponse('A dataset of that name exists') })
  async create(
    @CurrentTenant() tenant: TenantRef,
    @CurrentPrincipal() who: Principal,
    @Body() body: unknown,
  ) {
    const { name, description } = parseInput(CreateDatasetSchema, body);
    const dataset = await this.datasets.create(
      tenant.slug,
      name,
      description ?? null,
      actorOf(who),
    );
    if (!dataset) throw new ProblemException(problemFor(409, `dataset ${name} already exists`));
    return {
      name: dataset.name,
      description: dataset.description,
      created_at: dataset.created_at,
      branches: ['main'],
    };
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: "The tenant's datasets" })
  async list(@CurrentTenant() tenant: TenantRef) {
    return (await this.datasets.list(tenant.slug)).map(
      ({ name, description, created_by, created_at }) => ({
        name,
        description,
        created_by,
        created_at,
      }),
    );
  }

  @Get(':name')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'A dataset: branches, tags, and at ?ref= (default main) its size, tiers, Silver+Gold share, class balance, coverage per type and growth',
  })
  async show(
    @CurrentTenant() tenant: TenantRef,
    @Param('name') name: string,
    @Query('ref') ref?: string,
  ) {
    return this.metrics.execute(await this.dataset(tenant, name), ref);
  }

  @Post(':name/examples')
  @HttpCode(201)
  @RequireScope('review')
  @ApiOperation({
    summary:
      'Stages examples on a branch: {"examples":[{"type","input","output","labels"}],"branch"}',
  })
  async add(
    @CurrentTenant() tenant: TenantRef,
    @Param('name') name: string,
    @Body() body: unknown,
  ) {
    const { examples, branch } = parseInput(AddExamplesSchema, body);
    return this.curate.add(await this.dataset(tenant, name), branch, examples);
  }

  @Get(':name/examples')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Examples at ?ref= (a commit, tag or branch head) or, without it, on the working tree of ?branch= (default main); ?limit=&after=<id>',
  })
  async list_examples(
    @CurrentTenant() tenant: TenantRef,
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
  ) {
    const q = parseInput(
      z.strictObject({
        ref: z.string().optional(),
        branch: NAME.default('main'),
        limit: LIMIT,
        after: z.uuid().optional(),
      }),
      query,
    );
    return this.examples.execute(await this.dataset(tenant, name), q);
  }

  @Patch(':name/examples/:id')
  @RequireScope('review')
  @ApiOperation({
    summary: 'Stages a new version of an example: any of type, input, output, labels; "branch"',
  })
  async patch(
    @CurrentTenant() tenant: TenantRef,
    @Param('name') name: string,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: unknown,
  ) {
    const { branch, ...change } = parseInput(PatchExampleSchema, body);
    return this.curate.patch(await this.dataset(tenant, name), branch, id, change);
  }

  @Delete(':name/examples/:id')
  @HttpCode(204)
  @RequireScope('review')
  @ApiOperation({ summary: 'Stages the removal of an example (?branch=, default main)' })
  async remove(
    @CurrentTenant() tenant: TenantRef,
    @Param('name') name: string,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: Record<string, unknown>,
  ) {
    const { branch } = parseInput(BranchOnlySchema, query);
    await this.curate.remove(await this.dataset(tenant, name), branch, id);
  }

  @Post(':name/validate')
  @HttpCode(200)
  @RequireScope('review')
  @ApiOperation({
    summary: 'Scores every example on a branch ({"branch"}), validating those of 60 and over',
  })
  async validate(
    @CurrentTenant() tenant: TenantRef,
    @CurrentPrincipal() who: Principal,
    @Param('name') name: string,
    @Body() body: unknown,
  ) {
    const { branch } = parseInput(BranchOnlySchema, body ?? {});
    return this.curate.validate(await this.dataset(tenant, name), branch, actorOf(who));
  }

  @Post(':name/commits')
  @HttpCode(201)
  @RequireScope('review')
  @ApiOperation({
    summary: 'Commits what is staged on a branch: {"message","author","branch"} -> {"hash"}',
  })
  async commit(
    @CurrentTenant() tenant: TenantRef,
    @CurrentPrincipal() who: Principal,
    @Param('name') name: string,
    @Body() body: unknown,
  ) {
    const { message, author, branch } = parseInput(CommitSchema, body);
    return this.history.commit(
      await this.dataset(tenant, name),
      branch,
      author ?? actorOf(who),
      message,
    );
  }

  @Get(':name/log')
  @RequireScope('read')
  @ApiOperation({ summary: 'Commits reachable from ?ref= (default main), newest first; ?limit=' })
  async log(
    @CurrentTenant() tenant: TenantRef,
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
  ) {
    const { ref, limit } = parseInput(
      z.strictObject({ ref: z.string().default('main'), limit: LIMIT }),
      query,
    );
    return this.history.log(await this.dataset(tenant, name), ref, limit);
  }

  @Get(':name/diff')
  @RequireScope('read')
  @ApiOperation({
    summary: 'What changed from ?from= to ?to=: added, removed, modified with before and after',
  })
  async diff(
    @CurrentTenant() tenant: TenantRef,
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
  ) {
    const { from, to } = parseInput(
      z.strictObject({ from: z.string().min(1), to: z.string().min(1) }),
      query,
    );
    return this.history.diff(await this.dataset(tenant, name), from, to);
  }

  @Post(':name/checkout')
  @HttpCode(200)
  @RequireScope('read')
  @ApiOperation({
    summary: 'Materialises a commit, tag or branch ({"ref"}) and checks its tree hash',
  })
  async checkout(
    @CurrentTenant() tenant: TenantRef,
    @Param('name') name: string,
    @Body() body: unknown,
  ) {
    const { ref } = parseInput(RefSchema, body);
    return this.history.checkout(await this.dataset(tenant, name), ref);
  }

  @Get(':name/tags')
  @RequireScope('read')
  async tags(@CurrentTenant() tenant: TenantRef, @Param('name') name: string) {
    return this.history.tags(await this.dataset(tenant, name));
  }

  @Post(':name/tags')
  @HttpCode(201)
  @RequireScope('review')
  @ApiOperation({ summary: 'Names a commit for good: {"name","ref"}; a tag never moves' })
  @ApiResponse({ status: 409, ...problemResponse('The tag exists') })
  async tag(
    @CurrentTenant() tenant: TenantRef,
    @CurrentPrincipal() who: Principal,
    @Param('name') name: string,
    @Body() body: unknown,
  ) {
    const tag = parseInput(TagSchema, body);
    return this.history.tag(await this.dataset(tenant, name), tag.name, tag.ref, actorOf(who));
  }

  @Post(':name/branches')
  @HttpCode(201)
  @RequireScope('review')
  @ApiOperation({ summary: 'Starts a branch at a ref: {"name","from"}' })
  async branch(
    @CurrentTenant() tenant: TenantRef,
    @Param('name') name: string,
    @Body() body: unknown,
  ) {
    const branch = parseInput(BranchSchema, body);
    return this.history.branch(await this.dataset(tenant, name), branch.name, branch.from);
  }

  @Post(':name/merge')
  @HttpCode(200)
  @RequireScope('review')
  @ApiOperation({
    summary:
      'Three-way merge {"from","into","fast_forward"}: a commit, a fast-forward (unless fast_forward is false), or 409 with the conflicting examples',
  })
  @ApiResponse({
    status: 409,
    ...problemResponse('`conflicts` lists each example with its base, ours and theirs'),
  })
  async merge(
    @CurrentTenant() tenant: TenantRef,
    @CurrentPrincipal() who: Principal,
    @Param('name') name: string,
    @Body() body: unknown,
  ) {
    const m = parseInput(MergeSchema, body);
    return this.history.merge(
      await this.dataset(tenant, name),
      m.from,
      m.into,
      m.author ?? actorOf(who),
      m.message,
      m.fast_forward,
    );
  }

  @Post(':name/rollback')
  @HttpCode(201)
  @RequireScope('review')
  @ApiOperation({ summary: 'A new commit on {"branch"} restoring the tree of {"to"}' })
  async rollback(
    @CurrentTenant() tenant: TenantRef,
    @CurrentPrincipal() who: Principal,
    @Param('name') name: string,
    @Body() body: unknown,
  ) {
    const r = parseInput(RollbackSchema, body);
    return this.history.rollback(
      await this.dataset(tenant, name),
      r.branch,
      r.to,
      r.author ?? actorOf(who),
      r.message,
    );
  }

  private dataset(tenant: TenantRef, name: string) {
    return this.curate.dataset(tenant.slug, name);
  }
}

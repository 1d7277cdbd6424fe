import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequireOperator } from '@refinery/runtime';
import { ManageTenantsUseCase } from './manage-tenants.use-case';

/** Tenants and API keys, for the operator key only; `npm run admin` does the same. */
@ApiTags('admin')
@ApiSecurity('api-key')
@Controller('v1/admin')
@RequireOperator()
export class TenantsAdminController {
  constructor(private readonly tenants: ManageTenantsUseCase) {}

  @Post('tenants')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a tenant, {"slug": "acme"}; answers its first key, with every tenant scope',
  })
  createTenant(@Body() body: unknown) {
    return this.tenants.createTenant(body);
  }

  @Post('tenants/:tenant/keys')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Issue a key, {"scopes": ["read", "review"]}; the key is shown only here',
  })
  createKey(@Param('tenant') tenant: string, @Body() body: unknown) {
    return this.tenants.createKey(tenant, body);
  }

  @Get('tenants/:tenant/keys')
  @ApiOperation({ summary: "A tenant's keys: id, label, scopes, created and revoked times" })
  listKeys(@Param('tenant') tenant: string) {
    return this.tenants.listKeys(tenant);
  }

  @Post('keys/:id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a key: every instance refuses it within 2 s' })
  revokeKey(@Param('id') id: string) {
    return this.tenants.revokeKey(id);
  }
}

import type { Principal, TenantRef } from '@refinery/runtime';
import type { Author } from '../feedback/feedback.commands';

/** Who acts, as the audit log names them: the API key's id, or the operator. */
export const authorOf = (tenant: TenantRef, who: Principal): Author => ({
  tenant: tenant.slug,
  actor: who.kind === 'tenant' ? `key:${who.keyId}` : 'operator',
});

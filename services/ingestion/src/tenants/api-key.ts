import { createHash, randomBytes } from 'node:crypto';

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export const generateApiKey = (tenantSlug: string): string =>
  `rk_${tenantSlug}_${randomBytes(24).toString('base64url')}`;

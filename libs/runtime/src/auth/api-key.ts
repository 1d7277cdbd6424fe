import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** SHA-256: keys are long random strings, so a fast hash is enough. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** 192 random bits, prefixed so a leaked key says whose it is. */
export const generateApiKey = (tenantSlug: string): string =>
  `rk_${tenantSlug}_${randomBytes(24).toString('base64url')}`;

/**
 * The key a request carries: `x-api-key`, `Authorization: Bearer <key>`, or the HTTP Basic
 * user name (how Segment-compatible SDKs send a write key, and how a browser asks for one).
 */
export function credentialOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const authorization = headers.authorization;
  if (!authorization) return undefined;
  const [kind, value = ''] = authorization.split(' ', 2);
  if (/^bearer$/i.test(kind)) return value.trim() || undefined;
  if (/^basic$/i.test(kind)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const user = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
    return user || undefined;
  }
  return undefined;
}

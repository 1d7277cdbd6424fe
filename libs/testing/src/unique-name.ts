import { randomBytes } from 'node:crypto';

/** A name no other test uses: tests share one database and one NATS server. */
export const uniqueName = (prefix: string): string => `${prefix}_${randomBytes(5).toString('hex')}`;

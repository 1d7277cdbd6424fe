import { nkeys } from '@nats-io/transport-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsAuthOptions } from './connect-nats';

describe('natsAuthOptions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nats-auth-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('logs in anonymously without credentials, and with a user and password when given', () => {
    expect(natsAuthOptions({})).toEqual({});
    expect(natsAuthOptions({ user: 'ingestion', password: 'pw' })).toEqual({
      user: 'ingestion',
      pass: 'pw',
    });
  });

  it('signs the server nonce with the nkey seed read from its file', () => {
    const user = nkeys.createUser();
    const seedFile = join(dir, 'user.nk');
    writeFileSync(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`);
    const { authenticator } = natsAuthOptions({ nkeySeedFile: seedFile });
    const auth = [authenticator].flat()[0]?.('nonce-1') as { nkey: string; sig: string };
    expect(auth.nkey).toBe(user.getPublicKey());
    expect(user.verify(new TextEncoder().encode('nonce-1'), nkeys.decode(auth.sig))).toBe(true);
  });
});

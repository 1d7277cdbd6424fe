import { credentialOf, generateApiKey, hashApiKey } from './api-key';

describe('credentialOf', () => {
  const basic = (user: string, password = '') =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  it('reads x-api-key, a bearer token, or the HTTP Basic user name', () => {
    expect(credentialOf({ 'x-api-key': 'k1' })).toBe('k1');
    expect(credentialOf({ authorization: 'Bearer k2' })).toBe('k2');
    expect(credentialOf({ authorization: basic('k3') })).toBe('k3');
    expect(credentialOf({ authorization: basic('k4', 'ignored') })).toBe('k4');
  });

  it('finds nothing in an empty, unknown or malformed header', () => {
    expect(credentialOf({})).toBeUndefined();
    expect(credentialOf({ 'x-api-key': '' })).toBeUndefined();
    expect(credentialOf({ authorization: 'Digest abc' })).toBeUndefined();
    expect(credentialOf({ authorization: 'Bearer ' })).toBeUndefined();
    expect(credentialOf({ authorization: basic('') })).toBeUndefined();
  });
});

describe('API keys', () => {
  it('are long, random, say whose they are, and are stored as their SHA-256', () => {
    const [one, two] = [generateApiKey('acme'), generateApiKey('acme')];
    expect(one).toMatch(/^rk_acme_[A-Za-z0-9_-]{32}$/);
    expect(one).not.toBe(two);
    expect(hashApiKey('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

import { startServiceProcess } from '../src';

/** Ingestion from the build, as the tests of several services run it. */
describe('startServiceProcess', () => {
  it('runs a service until it is stopped, and the service is gone then', async () => {
    const service = await startServiceProcess('ingestion');
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
    await service.stop();
    await expect(fetch(`${service.url}/health/live`)).rejects.toThrow();
  });

  it('fails with what the service printed when it does not get ready', async () => {
    await expect(startServiceProcess('ingestion', { LOG_LEVEL: 'loud' })).rejects.toThrow(
      /ingestion exited before it was ready[\s\S]*LOG_LEVEL/,
    );
  });

  it('refuses a name deploy/services.json does not have', async () => {
    await expect(startServiceProcess('no-such-service')).rejects.toThrow(
      'no service "no-such-service" in deploy/services.json',
    );
  });
});

import { MessagingModule, type MessagingOptions } from '@refinery/messaging';
import { ServiceModule } from '../service.module';
import {
  BaseConfigSchema,
  ConfigError,
  configuredStreamLimits,
  loadConfig,
  parseBytes,
} from './load-config';

const load = (env: Record<string, string>) => loadConfig(BaseConfigSchema, env);

/** The problems a ConfigError names, or none. */
function problems(env: Record<string, string>): string[] {
  try {
    load(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('stream limits in the configuration', () => {
  it('are unset by default: the streams keep the limits they are defined with', () => {
    const config = load({});
    expect(config.NATS_STREAM_RECORDS_MAX_BYTES).toBeUndefined();
    expect(config.NATS_BATCH_MAX_BYTES).toBeUndefined();
    expect(configuredStreamLimits(config)).toEqual({});
  });

  it('read sizes with binary suffixes, counts, and -1 / none / unlimited for no limit', () => {
    const config = load({
      NATS_STREAM_RECORDS_MAX_BYTES: '5GiB',
      NATS_STREAM_RECORDS_MAX_MSGS: '20000000',
      NATS_STREAM_ENRICHMENT_MAX_BYTES: 'unlimited',
      NATS_STREAM_ENRICHMENT_MAX_MSG_SIZE: '512KiB',
      NATS_STREAM_DLQ_MAX_MSGS: '-1',
      NATS_STREAM_ALERTS_MAX_BYTES: '',
      NATS_BATCH_MAX_BYTES: '8M',
    });
    expect(configuredStreamLimits(config)).toEqual({
      RECORDS: { maxBytes: 5 * 2 ** 30, maxMsgs: 20_000_000 },
      ENRICHMENT: { maxBytes: -1, maxMsgSize: 512 * 1024 },
      DLQ: { maxMsgs: -1 },
    });
    expect(config.NATS_BATCH_MAX_BYTES).toBe(8 * 2 ** 20);
  });

  it('name every malformed setting', () => {
    expect(
      problems({
        NATS_STREAM_RECORDS_MAX_BYTES: 'lots',
        NATS_STREAM_LEARNING_MAX_MSGS: '1.5',
        NATS_STREAM_INGEST_MAX_MSG_SIZE: '0',
        NATS_BATCH_MAX_BYTES: '4KiB',
      }),
    ).toEqual([
      'NATS_STREAM_INGEST_MAX_MSG_SIZE: "0" is not a size like 512KiB, 4MiB, 2GiB or a number of bytes',
      'NATS_STREAM_RECORDS_MAX_BYTES: "lots" is not a size like 512KiB, 4MiB, 2GiB or a number of bytes',
      'NATS_STREAM_LEARNING_MAX_MSGS: "1.5" is not a whole number of messages, or -1 / none for no limit',
      'NATS_BATCH_MAX_BYTES: "4KiB" is below the least allowed, 64KiB',
    ]);
  });
});

describe('parseBytes', () => {
  it.each([
    ['1048576', 1_048_576],
    ['100B', 100],
    ['64KiB', 65_536],
    ['64K', 65_536],
    ['4MiB', 4 * 2 ** 20],
    ['4 MB', 4 * 2 ** 20],
    ['2Gi', 2 * 2 ** 30],
    ['1.5GiB', 1.5 * 2 ** 30],
    ['1tib', 2 ** 40],
  ])('reads %s as %d bytes, a suffix being a power of 1024 as in nats-server', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it.each(['', '-5', '4 PiB', 'MiB', '0'])('refuses "%s"', (text) => {
    expect(() => parseBytes(text)).toThrow('is not a size like');
  });
});

describe('ServiceModule', () => {
  it('hands the stream limits and the batch bound to the bus', () => {
    const config = load({
      NATS_STREAM_REPLICAS: '3',
      NATS_STREAM_ENRICHMENT_MAX_BYTES: '6GiB',
      NATS_BATCH_MAX_BYTES: '1MiB',
    });
    const module = ServiceModule.forRoot({
      service: 'svc',
      natsUrl: config.NATS_URL,
      auth: config,
      schema: 'svc',
      entities: [],
      migrations: [],
    });
    // MessagingModule's options are the one value it provides.
    const messaging = (module.imports ?? []).find(
      (imported) => 'module' in imported && imported.module === MessagingModule,
    );
    const options = (messaging && 'providers' in messaging ? (messaging.providers ?? []) : [])
      .map((provider) => (provider as { useValue?: MessagingOptions }).useValue)
      .find(Boolean);
    expect(options).toMatchObject({
      streamReplicas: 3,
      streamLimits: { ENRICHMENT: { maxBytes: 6 * 2 ** 30 } },
      batchMaxBytes: 2 ** 20,
    });
  });
});

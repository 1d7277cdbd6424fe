import { trace } from '@opentelemetry/api';

import { startTelemetry, Telemetry } from '../telemetry/start-telemetry';
import { JsonLogger, parseLogLevel } from './json-logger';

type Line = Record<string, unknown>;

function capture(stream: NodeJS.WriteStream): { lines: () => Line[]; restore: () => void } {
  const written: string[] = [];
  const spy = jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk));
    return true;
  });
  return {
    lines: () =>
      written
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Line),
    restore: () => spy.mockRestore(),
  };
}

describe('JsonLogger', () => {
  let telemetry: Telemetry;
  let stdout: ReturnType<typeof capture>;
  let stderr: ReturnType<typeof capture>;

  beforeAll(() => {
    telemetry = startTelemetry('logger-test');
  });
  afterAll(() => telemetry.shutdown());

  beforeEach(() => {
    stdout = capture(process.stdout);
    stderr = capture(process.stderr);
  });
  afterEach(() => {
    stdout.restore();
    stderr.restore();
  });

  it('writes one JSON line carrying the active trace', () => {
    const logger = new JsonLogger({ service: 'ingestion', level: 'info' });
    const span = trace.getTracer('test').startActiveSpan('store batch', (active) => {
      logger.log('batch stored', 'RecordsConsumer');
      active.end();
      return active;
    });

    const [line] = stdout.lines();
    expect(line).toEqual({
      time: expect.any(String),
      level: 'info',
      service: 'ingestion',
      context: 'RecordsConsumer',
      msg: 'batch stored',
      trace_id: span.spanContext().traceId,
      span_id: span.spanContext().spanId,
    });
    expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Date(String(line.time)).toISOString()).toBe(line.time);
  });

  it('leaves the trace out when no span is active', () => {
    new JsonLogger({ service: 'ingestion' }).log('started');
    expect(stdout.lines()[0]).not.toHaveProperty('trace_id');
  });

  it('writes errors to stderr with their stack, in each of Nest calling styles', () => {
    const logger = new JsonLogger({ service: 'ingestion' });
    const failure = new TypeError('payload is not an object');
    logger.error(failure, 'ExceptionsHandler');
    logger.error('publish failed', failure.stack, 'Publisher');
    logger.error('publish failed', failure.stack);
    logger.error('shutting down', 'Bootstrap');
    // What `new Logger('ingest').error(message)` hands over: no stack, then the context.
    logger.error('could not publish', undefined, 'ingest');

    expect(stdout.lines()).toEqual([]);
    const [thrown, withContext, stackOnly, contextOnly, viaNestLogger] = stderr.lines();
    expect(thrown).toMatchObject({
      level: 'error',
      context: 'ExceptionsHandler',
      msg: 'payload is not an object',
      err: { type: 'TypeError', message: 'payload is not an object', stack: failure.stack },
    });
    expect(withContext).toMatchObject({
      context: 'Publisher',
      msg: 'publish failed',
      err: { stack: failure.stack },
    });
    expect(stackOnly).toMatchObject({ msg: 'publish failed', err: { stack: failure.stack } });
    expect(stackOnly).not.toHaveProperty('context');
    expect(contextOnly).toEqual(
      expect.objectContaining({ context: 'Bootstrap', msg: 'shutting down' }),
    );
    expect(contextOnly).not.toHaveProperty('err');
    expect(viaNestLogger).toMatchObject({ context: 'ingest', msg: 'could not publish' });
    expect(viaNestLogger).not.toHaveProperty('args');
  });

  it('keeps the fields of an object message without letting them overwrite its own', () => {
    new JsonLogger({ service: 'learning' }).warn(
      { msg: 'slow batch', size: 300, service: 'spoofed' },
      'Consumer',
    );
    expect(stdout.lines()[0]).toMatchObject({
      level: 'warn',
      service: 'learning',
      msg: 'slow batch',
      size: 300,
      context: 'Consumer',
    });
  });

  it('drops entries below its level, which defaults to LOG_LEVEL', () => {
    const previous = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'warn';
    try {
      const logger = new JsonLogger({ service: 'ingestion' });
      logger.debug('noise');
      logger.log('noise');
      logger.warn('kept');
      expect(stdout.lines().map((line) => line.msg)).toEqual(['kept']);
    } finally {
      if (previous === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = previous;
    }
    new JsonLogger({ service: 'ingestion', level: 'debug' }).debug('now kept');
    expect(stdout.lines().map((line) => line.msg)).toEqual(['kept', 'now kept']);
  });

  it('rejects an unknown LOG_LEVEL by naming the variable', () => {
    expect(parseLogLevel(undefined)).toBe('info');
    expect(parseLogLevel('DEBUG')).toBe('debug');
    expect(() => parseLogLevel('loud')).toThrow(
      'LOG_LEVEL must be one of verbose, debug, info, warn, error, fatal; got "loud"',
    );
  });

  it('survives a message it cannot serialize', () => {
    const circular: Record<string, unknown> = { msg: 'loop' };
    circular.self = circular;
    new JsonLogger({ service: 'ingestion' }).log(circular);
    expect(stdout.lines()[0]).toMatchObject({
      msg: 'loop',
      log_error: expect.stringContaining('circular'),
    });
  });
});

describe('startTelemetry', () => {
  it('starts once and hands back the same handle', async () => {
    const first = startTelemetry('one');
    expect(startTelemetry('two')).toBe(first);
    await first.shutdown();
  });
});

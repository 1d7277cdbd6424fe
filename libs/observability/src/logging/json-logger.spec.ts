import { trace } from '@opentelemetry/api';

import { startTelemetry, Telemetry } from '../telemetry/start-telemetry';
import { JsonLogger, JsonLoggerOptions, parseLogLevel } from './json-logger';

type Line = Record<string, unknown>;

function capture() {
  const written: string[] = [];
  return {
    written,
    stream: { write: (line: string) => void written.push(line) },
    lines: () =>
      written
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Line),
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
    stdout = capture();
    stderr = capture();
  });
  const create = (options: JsonLoggerOptions) =>
    new JsonLogger({ stdout: stdout.stream, stderr: stderr.stream, ...options });

  it('writes one JSON line carrying the active trace', () => {
    const logger = create({ service: 'ingestion', level: 'info' });
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
    create({ service: 'ingestion' }).log('started');
    expect(stdout.lines()[0]).not.toHaveProperty('trace_id');
  });

  it('writes errors to stderr with their stack, in each of Nest calling styles', () => {
    const logger = create({ service: 'ingestion' });
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
    create({ service: 'learning' }).warn(
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
      const logger = create({ service: 'ingestion' });
      logger.debug('noise');
      logger.log('noise');
      logger.warn('kept');
      expect(stdout.lines().map((line) => line.msg)).toEqual(['kept']);
    } finally {
      if (previous === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = previous;
    }
    create({ service: 'ingestion', level: 'debug' }).debug('now kept');
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
    create({ service: 'ingestion' }).log(circular, 'Loop');
    expect(stdout.lines()[0]).toMatchObject({
      level: 'info',
      service: 'ingestion',
      context: 'Loop',
      msg: 'loop',
      self: { msg: 'loop', self: '[Circular]' },
    });
  });

  it('writes each entry whole, in one write, with errors and bigints readable', () => {
    const logger = create({ service: 'ingestion' });
    logger.warn({ msg: '100% of %s', cause: new RangeError('too big'), offset: 12n }, 'Reader');
    logger.log('extra', { batch: 3 }, 'Reader');

    expect(
      stdout.written.every(
        (chunk) => chunk.endsWith('\n') && chunk.indexOf('\n') === chunk.length - 1,
      ),
    ).toBe(true);
    const [object, withArgs] = stdout.lines();
    expect(object).toMatchObject({
      msg: '100% of %s',
      cause: { type: 'RangeError', message: 'too big', stack: expect.stringContaining('too big') },
      offset: '12',
    });
    expect(withArgs).toMatchObject({ msg: 'extra', context: 'Reader', args: [{ batch: 3 }] });
  });
});

describe('startTelemetry', () => {
  it('starts once and hands back the same handle', async () => {
    const first = startTelemetry('one');
    expect(startTelemetry('two')).toBe(first);
    await first.shutdown();
  });
});

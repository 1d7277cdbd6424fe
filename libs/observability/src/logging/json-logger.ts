import { LoggerService } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino from 'pino';

export const LOG_LEVEL_NAMES = ['verbose', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];

export interface JsonLoggerOptions {
  service: string;
  /** Lowest level written; defaults to LOG_LEVEL, else `info`. */
  level?: LogLevelName;
  /** Where lines go, below `error` and from it on; stdout and stderr unless given. */
  stdout?: pino.DestinationStream;
  stderr?: pino.DestinationStream;
}

type Fields = Record<string, unknown>;

const LEVEL_VALUES: Record<LogLevelName, number> = {
  verbose: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};
const RESERVED = new Set([
  'time',
  'level',
  'service',
  'context',
  'msg',
  'trace_id',
  'span_id',
  'err',
]);
// Same test Nest's ConsoleLogger uses to tell `error(msg, stack)` from `error(msg, context)`.
const STACK_FORMAT = /^(.)+\n\s+at .+:\d+:\d+/;

export function parseLogLevel(value: string | undefined): LogLevelName {
  if (value === undefined || value === '') return 'info';
  const level = value.toLowerCase();
  if (level === 'log') return 'info';
  const known = LOG_LEVEL_NAMES.find((name) => name === level);
  if (!known) {
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVEL_NAMES.join(', ')}; got "${value}"`);
  }
  return known;
}

// Written synchronously, one write per line, so a process that dies right after logging
// still leaves its last line; shared, as every logger of the process writes to the same fds.
let standardStreams: { stdout: pino.DestinationStream; stderr: pino.DestinationStream } | undefined;
function standard() {
  standardStreams ??= {
    stdout: pino.destination({ dest: 1, sync: true }),
    stderr: pino.destination({ dest: 2, sync: true }),
  };
  return standardStreams;
}

/** Nest logger over pino: one JSON object per line, with the active trace when there is one. */
export class JsonLogger implements LoggerService {
  /** Below `error`, to stdout. */
  private readonly out: pino.Logger<LogLevelName, true>;
  /** `error` and `fatal`, to stderr. */
  private readonly err: pino.Logger<LogLevelName, true>;

  constructor(options: JsonLoggerOptions) {
    const settings: pino.LoggerOptions<LogLevelName, true> = {
      level: options.level ?? parseLogLevel(process.env.LOG_LEVEL),
      customLevels: LEVEL_VALUES,
      useOnlyCustomLevels: true,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: activeTrace,
      // `err` arrives already shaped as { type, message, stack }; pino's own would redo it.
      serializers: { err: (err: unknown) => err },
    };
    this.out = pino(settings, options.stdout ?? standard().stdout);
    this.err = pino(settings, options.stderr ?? standard().stderr);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, splitContext(params));
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, splitContext(params));
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, splitContext(params));
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, splitContext(params));
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, splitContextAndStack(params));
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, splitContextAndStack(params));
  }

  isLevelEnabled(level: LogLevelName): boolean {
    return this.out.isLevelEnabled(level);
  }

  private write(level: LogLevelName, message: unknown, call: CallParts): void {
    if (!this.out.isLevelEnabled(level)) return;
    const { msg, ...fields } = describeMessage(message, call.stack);
    const entry: Fields = { context: call.context, ...fields };
    if (call.args.length > 0) entry.args = call.args.map(plain);
    (level === 'error' || level === 'fatal' ? this.err : this.out)[level](entry, msg);
  }
}

interface CallParts {
  context?: string;
  stack?: string;
  args: unknown[];
}

/** Nest passes the context as the last argument when it has one (and `undefined` for a missing stack). */
function splitContext(all: unknown[]): CallParts {
  const params = all.filter((p) => p !== undefined);
  const last = params.at(-1);
  return typeof last === 'string' ? { context: last, args: params.slice(0, -1) } : { args: params };
}

/** `error(message, stack?, context?)`, telling a lone stack from a lone context by its shape. */
function splitContextAndStack(params: unknown[]): CallParts {
  const [only] = params;
  if (params.length === 1 && typeof only === 'string' && STACK_FORMAT.test(only)) {
    return { stack: only, args: [] };
  }
  const parts = splitContext(params);
  const last = parts.args.at(-1);
  if (parts.context !== undefined && typeof last === 'string') {
    return { ...parts, stack: last, args: parts.args.slice(0, -1) };
  }
  return parts;
}

function describeMessage(message: unknown, stack: string | undefined): Fields & { msg: string } {
  if (message instanceof Error) {
    return { msg: message.message, err: errorFields(message, stack) };
  }
  const described =
    typeof message === 'object' && message !== null
      ? fromObject(message)
      : { msg: String(message) };
  return stack === undefined ? described : { ...described, err: { message: described.msg, stack } };
}

/** Structured messages keep their fields; `msg` (or `message`) becomes the line's text. */
function fromObject(message: object): Fields & { msg: string } {
  const fields: Fields = {};
  let msg = '';
  for (const [key, value] of Object.entries(message)) {
    if ((key === 'msg' || key === 'message') && typeof value === 'string') msg = value;
    else if (!RESERVED.has(key)) fields[key] = plain(value);
  }
  return { msg, ...fields };
}

/** What JSON.stringify would drop or refuse: an error's own fields, a bigint as a string. */
function plain(value: unknown): unknown {
  if (value instanceof Error) return errorFields(value);
  return typeof value === 'bigint' ? value.toString() : value;
}

function errorFields(error: Error, stack?: string): Fields {
  return { type: error.name, message: error.message, stack: error.stack ?? stack };
}

function activeTrace(): Fields {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}

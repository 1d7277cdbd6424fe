import { LoggerService } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';

export const LOG_LEVEL_NAMES = ['verbose', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];

export interface JsonLoggerOptions {
  service: string;
  /** Lowest level written; defaults to LOG_LEVEL, else `info`. */
  level?: LogLevelName;
}

type Fields = Record<string, unknown>;

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

/** Nest logger writing one JSON object per line, with the active trace when there is one. */
export class JsonLogger implements LoggerService {
  private readonly service: string;
  private readonly threshold: number;

  constructor(options: JsonLoggerOptions) {
    this.service = options.service;
    this.threshold = LOG_LEVEL_NAMES.indexOf(options.level ?? parseLogLevel(process.env.LOG_LEVEL));
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
    return LOG_LEVEL_NAMES.indexOf(level) >= this.threshold;
  }

  private write(level: LogLevelName, message: unknown, call: CallParts): void {
    if (!this.isLevelEnabled(level)) return;
    const entry: Fields = {
      time: new Date().toISOString(),
      level,
      service: this.service,
      context: call.context,
      ...describeMessage(message, call.stack),
      ...activeTrace(),
    };
    if (call.args.length > 0) entry.args = call.args;
    const stream = level === 'error' || level === 'fatal' ? process.stderr : process.stdout;
    stream.write(`${serialize(entry)}\n`);
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

function describeMessage(message: unknown, stack: string | undefined): Fields {
  if (message instanceof Error) {
    return {
      msg: message.message,
      err: { type: message.name, message: message.message, stack: message.stack ?? stack },
    };
  }
  const described: Fields =
    typeof message === 'object' && message !== null
      ? fromObject(message)
      : { msg: String(message) };
  if (stack !== undefined) described.err = { message: described.msg, stack };
  return described;
}

/** Structured messages keep their fields; `msg` (or `message`) becomes the line's text. */
function fromObject(message: object): Fields {
  const fields: Fields = {};
  let msg = '';
  for (const [key, value] of Object.entries(message)) {
    if ((key === 'msg' || key === 'message') && typeof value === 'string') msg = value;
    else if (!RESERVED.has(key)) fields[key] = value;
  }
  return { msg, ...fields };
}

function activeTrace(): Fields {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}

function serialize(entry: Fields): string {
  try {
    return JSON.stringify(entry, (_key, value: unknown) =>
      typeof value === 'bigint'
        ? value.toString()
        : value instanceof Error
          ? errorFields(value)
          : value,
    );
  } catch (error) {
    // A circular structure must not cost us the line itself.
    const { time, level, service, context, msg, trace_id, span_id } = entry;
    const reason = error instanceof Error ? error.message : String(error);
    return JSON.stringify({
      time,
      level,
      service,
      context,
      msg: String(msg),
      trace_id,
      span_id,
      log_error: reason,
    });
  }
}

function errorFields(error: Error): Fields {
  return { type: error.name, message: error.message, stack: error.stack };
}

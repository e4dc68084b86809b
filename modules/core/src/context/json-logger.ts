import type { LoggerService, LogLevel } from '@nestjs/common';
import { RequestContext } from './request-context.js';

const LEVEL_RANK: Record<LogLevel, number> = { verbose: 0, debug: 1, log: 2, warn: 3, error: 4, fatal: 5 };

function configuredLevel(): number {
  const level = (process.env.LOG_LEVEL ?? 'log') as LogLevel;
  return LEVEL_RANK[level] ?? LEVEL_RANK.log;
}

/**
 * One JSON object per line on stdout, with the request's correlationId when there is one, so logs of a
 * request can be joined with its error envelope and audit entries.
 */
export class JsonLogger implements LoggerService {
  private readonly minimum = configuredLevel();

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (LEVEL_RANK[level] < this.minimum) return;
    // Nest passes (message, context) or (message, stack, context) for errors.
    const args = [...rest];
    const context = typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const entry: Record<string, unknown> = { level, time: new Date().toISOString() };
    if (context) entry.context = context;
    const correlationId = RequestContext.find()?.correlationId;
    if (correlationId) entry.correlationId = correlationId;
    if (message instanceof Error) {
      entry.msg = message.message;
      entry.stack = message.stack;
    } else if (message && typeof message === 'object') {
      Object.assign(entry, message);
    } else {
      entry.msg = String(message);
    }
    for (const extra of args) {
      if (typeof extra === 'string') entry.stack = extra;
      else if (extra instanceof Error) entry.stack = extra.stack;
      else if (extra && typeof extra === 'object') Object.assign(entry, extra);
    }
    const line = JSON.stringify(entry) + '\n';
    if (LEVEL_RANK[level] >= LEVEL_RANK.warn) process.stderr.write(line);
    else process.stdout.write(line);
  }
}

// Structured logs. Health data and credentials never go to logs: bodies are not logged,
// authentication headers are redacted, and errors are logged without their messages.
import pino, { type DestinationStream, type Logger } from 'pino';

export interface LoggedError {
  type: string;
  code?: string;
  stack?: string;
}

/**
 * An error as logs may hold it: its class, its code and its stack frames, never its message. A
 * database error's message can quote the values of the query it refused (a name, an answer); the
 * class, the code (`P2002`, `ECONNREFUSED`) and where it was thrown are what ops need to find it.
 * Takes an error or pino-std-serializers' rendering of one (pino-http wraps serializers with it).
 */
export function errorForLog(err: unknown): LoggedError {
  if (typeof err !== 'object' || err === null) return { type: typeof err };
  const e = err as { type?: unknown; name?: unknown; code?: unknown; stack?: unknown };
  const type = typeof e.type === 'string' ? e.type : err instanceof Error ? err.constructor.name : typeof e.name === 'string' ? e.name : 'Object';
  const frames = typeof e.stack === 'string' ? e.stack.split('\n').filter((line) => /^\s+at /.test(line)).map((line) => line.trim()).join('\n') : '';
  return {
    type,
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: String(e.code) } : {}),
    ...(frames ? { stack: frames } : {}),
  };
}

/** `destination`: stdout unless given (tests capture the lines to check what a log may hold). */
export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  const options = {
    name,
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], remove: true },
    serializers: { err: errorForLog },
  };
  return destination ? pino(options, destination) : pino(options);
}
export type { Logger };

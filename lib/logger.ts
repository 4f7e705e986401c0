// Structured logs. Health data and credentials never go to logs: bodies are not logged and
// authentication headers are redacted.
import pino, { type DestinationStream, type Logger } from 'pino';

/** `destination`: stdout unless given (tests capture the lines to check what a log may hold). */
export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], remove: true } };
  return destination ? pino(options, destination) : pino(options);
}
export type { Logger };

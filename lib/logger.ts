// Structured logs. Health data and credentials never go to logs: bodies are not logged and
// authentication headers are redacted.
import pino, { type Logger } from 'pino';

export function createLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], remove: true },
  });
}
export type { Logger };

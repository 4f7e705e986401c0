// The API over real HTTP, as the portal and the staff console call it. A retrying client keeps going
// through outages (connection refused, 502/503/504) as a person would by trying again, and counts
// the retries; any other answer is returned for the caller to judge.
export interface Reply<T = unknown> {
  status: number;
  body: T;
}

export interface RequestOptions {
  token?: string;
  json?: unknown;
  form?: FormData;
  headers?: Record<string, string>;
  /** Raw body (e.g. a signed webhook payload), sent as is. */
  raw?: string;
}

export class Http {
  /** Requests retried because the service was unavailable. */
  retries = 0;

  constructor(readonly baseUrl: string, private readonly retryUnavailableForMs = 0) {}

  async send<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<Reply<T>> {
    const deadline = Date.now() + this.retryUnavailableForMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${this.baseUrl}${path}`, {
          method: method.toUpperCase(),
          headers: {
            ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
            ...(opts.json !== undefined || opts.raw !== undefined ? { 'Content-Type': 'application/json' } : {}),
            ...opts.headers,
          },
          body: opts.raw ?? (opts.json !== undefined ? JSON.stringify(opts.json) : opts.form),
        });
        const text = await res.text();
        if ([502, 503, 504].includes(res.status) && Date.now() < deadline) {
          await this.backoff(attempt);
          continue;
        }
        return { status: res.status, body: (text ? safeJson(text) : undefined) as T };
      } catch (err) {
        if (Date.now() >= deadline) throw new Error(`${method.toUpperCase()} ${path}: ${err instanceof Error ? err.message : String(err)}`);
        await this.backoff(attempt);
      }
    }
  }

  private async backoff(attempt: number): Promise<void> {
    this.retries++;
    await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 3000)));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Throws unless the reply has one of the expected statuses, naming the call and the body. */
export function expectStatus<T>(what: string, reply: Reply<T>, ...ok: number[]): Reply<T> {
  if (!ok.includes(reply.status)) throw new Error(`${what}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply;
}

// The API over real HTTP, as the portal and the staff console call it. A retrying client keeps going
// through outages (connection refused, 502/503/504) as a person would by trying again, and counts
// the retries; any other answer is returned for the caller to judge. Given several API instances it
// spreads the requests over them and, when one refuses the connection (down), sends to the next at
// once, as a load balancer in front of them would.
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
  /** Requests retried because the service was unavailable (failovers included). */
  retries = 0;
  /** Requests sent again to another API instance because theirs refused the connection. */
  failovers = 0;
  private readonly baseUrls: readonly string[];
  private next = 0;

  constructor(baseUrl: string | readonly string[], private readonly retryUnavailableForMs = 0) {
    this.baseUrls = typeof baseUrl === 'string' ? [baseUrl] : baseUrl;
    if (this.baseUrls.length === 0) throw new Error('Http needs at least one base URL of the API.');
  }

  /** The first API instance's URL. */
  get baseUrl(): string {
    return this.baseUrls[0];
  }

  async send<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<Reply<T>> {
    const deadline = Date.now() + this.retryUnavailableForMs;
    let instance = this.next++ % this.baseUrls.length;
    // Instances tried in a row without an answer: once each has refused, it is an outage (back off).
    let refusedInARow = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${this.baseUrls[instance]}${path}`, {
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
        // Refused: nothing reached that instance, so another may take the request at once.
        if (isRefused(err) && refusedInARow < this.baseUrls.length - 1) {
          refusedInARow++;
          this.retries++;
          this.failovers++;
          instance = (instance + 1) % this.baseUrls.length;
          continue;
        }
        refusedInARow = 0;
        if (Date.now() >= deadline) throw new Error(`${method.toUpperCase()} ${path} (${this.baseUrls[instance]}): ${err instanceof Error ? err.message : String(err)}${isRefused(err) ? ': connection refused by every API instance' : ''}`);
        await this.backoff(attempt);
      }
    }
  }

  private async backoff(attempt: number): Promise<void> {
    this.retries++;
    await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 3000)));
  }
}

function isRefused(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } } | undefined)?.cause;
  return cause?.code === 'ECONNREFUSED';
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

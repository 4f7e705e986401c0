// express-rate-limit's counters in the database, so that every API instance counts the same hits: with
// counters in memory, two instances would each allow the full limit (docs/deploy.md).
import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import type { Db } from '../lib/db';

export class DatabaseRateLimitStore implements Store {
  /** Counters of one limiter share a prefix: two limiters never count each other's hits. */
  readonly prefix: string;
  readonly localKeys = false;
  private windowMs = 60_000;

  constructor(
    private readonly db: Db,
    prefix: string,
  ) {
    this.prefix = `${prefix}:`;
  }

  /** Windows ended long ago are only reset when their client comes back: cleared at start. */
  async init(options: Options): Promise<void> {
    this.windowMs = options.windowMs;
    await this.db.rateLimitWindow.deleteMany({ where: { key: { startsWith: this.prefix }, resetAtMs: { lte: BigInt(Date.now()) } } });
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = await this.db.rateLimitWindow.findUnique({ where: { key: this.prefix + key } });
    if (!row || Number(row.resetAtMs) <= Date.now()) return undefined;
    return { totalHits: row.hits, resetTime: new Date(Number(row.resetAtMs)) };
  }

  /** One statement, atomic on both providers: a window that has ended starts again at 1. */
  async increment(key: string): Promise<IncrementResponse> {
    const now = Date.now();
    const resetAt = BigInt(now + this.windowMs);
    const rows = await this.db.$queryRaw<{ hits: number | bigint; resetAtMs: number | bigint }[]>`
      INSERT INTO "RateLimitWindow" ("key", "hits", "resetAtMs") VALUES (${this.prefix + key}, 1, ${resetAt})
      ON CONFLICT ("key") DO UPDATE SET
        "hits" = CASE WHEN "RateLimitWindow"."resetAtMs" <= ${BigInt(now)} THEN 1 ELSE "RateLimitWindow"."hits" + 1 END,
        "resetAtMs" = CASE WHEN "RateLimitWindow"."resetAtMs" <= ${BigInt(now)} THEN ${resetAt} ELSE "RateLimitWindow"."resetAtMs" END
      RETURNING "hits", "resetAtMs"`;
    const row = rows[0];
    return { totalHits: Number(row.hits), resetTime: new Date(Number(row.resetAtMs)) };
  }

  async decrement(key: string): Promise<void> {
    await this.db.rateLimitWindow.updateMany({ where: { key: this.prefix + key, hits: { gt: 0 } }, data: { hits: { decrement: 1 } } });
  }

  async resetKey(key: string): Promise<void> {
    await this.db.rateLimitWindow.deleteMany({ where: { key: this.prefix + key } });
  }
}

// Rate limits hold across API instances: the counters live in the database (api/rateLimitStore.ts), so
// two instances together allow the limit once, not once each. On SQLite and on PostgreSQL.
import type { Options } from 'express-rate-limit';
import request from 'supertest';
import { DatabaseRateLimitStore } from '../api/rateLimitStore';
import { createDb, type Db } from '../lib/db';
import { migrate } from '../lib/migrations';
import { createTestDatabase, type TestDatabase } from './support/postgres';
import { startStack, type Stack } from './support/stack';

const withWindow = (windowMs: number) => ({ windowMs }) as Options;

describe.each(['sqlite', 'postgresql'] as const)('the rate-limit counters on %s', (provider) => {
  let db: Db;
  let pg: TestDatabase | undefined;
  let stack: Stack | undefined;

  beforeAll(async () => {
    if (provider === 'postgresql') {
      pg = await createTestDatabase('parcours_ratelimit');
      await migrate(pg.url);
      db = createDb(pg.url);
    } else {
      stack = await startStack();
      db = stack.db;
    }
  });
  afterAll(async () => {
    if (pg) {
      await db?.$disconnect();
      await pg.drop();
    }
    await stack?.stop();
  });

  it('counts the hits of every instance together, each limiter apart, and starts again when the window ends', async () => {
    const [a, b, other] = [new DatabaseRateLimitStore(db, 'auth'), new DatabaseRateLimitStore(db, 'auth'), new DatabaseRateLimitStore(db, 'upload')];
    for (const s of [a, b, other]) await s.init(withWindow(60_000));
    const key = `client-${provider}-${Date.now()}`;
    expect((await a.increment(key)).totalHits).toBe(1);
    expect((await b.increment(key)).totalHits).toBe(2);
    const third = await a.increment(key);
    expect(third.totalHits).toBe(3);
    expect(third.resetTime!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect((await other.increment(key)).totalHits).toBe(1);
    expect(await b.get(key)).toEqual({ totalHits: 3, resetTime: third.resetTime });

    await b.decrement(key);
    expect((await a.get(key))?.totalHits).toBe(2);
    await a.resetKey(key);
    expect(await b.get(key)).toBeUndefined();

    const short = new DatabaseRateLimitStore(db, 'auth');
    // Long enough for two hits on a loaded machine (50 ms was not, in CI); then wait past its end.
    await short.init(withWindow(2000));
    const first = await short.increment(`${key}-short`);
    expect(first.totalHits).toBe(1);
    expect((await short.increment(`${key}-short`)).totalHits).toBe(2);
    await new Promise((r) => setTimeout(r, first.resetTime!.getTime() - Date.now() + 50));
    expect(await short.get(`${key}-short`)).toBeUndefined();
    expect((await short.increment(`${key}-short`)).totalHits).toBe(1);
  });

  it('counts concurrent hits exactly', async () => {
    const stores = [new DatabaseRateLimitStore(db, 'auth'), new DatabaseRateLimitStore(db, 'auth')];
    for (const s of stores) await s.init(withWindow(60_000));
    const key = `burst-${provider}-${Date.now()}`;
    const totals = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2].increment(key)));
    expect(totals.map((t) => t.totalHits).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

describe('two API instances on one database', () => {
  let first: Stack;
  let second: Stack;
  beforeAll(async () => {
    first = await startStack({ env: { RATE_LIMIT_AUTH_PER_15_MIN: '4' } });
    // The second instance runs on the first one's database file and task queue, as a second API process would.
    second = await startStack({ env: { RATE_LIMIT_AUTH_PER_15_MIN: '4' }, reuse: { databaseFile: first.config.databaseUrl.replace(/^file:/, ''), taskQueue: first.taskQueue } });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('refuse the fifth sign-in attempt, whichever instance gets it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await request((i % 2 ? second : first).app).post('/auth/login').send({ email: 'a@b.test', password: 'x' })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});

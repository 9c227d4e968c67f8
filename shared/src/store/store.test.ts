import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { isHerdError } from '../errors.js';
import { VirtualClock } from '../virtual-clock.js';
import { createEmbeddedStore } from './embedded-store.js';
import { locateRedis, spawnRedis } from './locate-redis.js';
import { createRedisStore } from './redis-store.js';
import { createManualClock, defineStoreContract } from './store-contract.js';

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

defineStoreContract('embedded', async () => {
  const clock = createManualClock();
  return { store: createEmbeddedStore(clock), advance: (ms) => clock.advance(ms) };
});

describe('embedded store, deterministic details', () => {
  it('expires on Redis’s whole-millisecond rule: alive through its last ms, gone one ms later', async () => {
    const clock = createManualClock();
    const store = createEmbeddedStore(clock);
    await store.set('k', 'v', 100);
    expect(await store.pttl('k')).toBe(100);
    await clock.advance(99.5);
    expect(await store.pttl('k')).toBe(1);
    await clock.advance(0.5);
    expect(await store.pttl('k')).toBe(0);
    expect(await store.get('k')).toBe('v');
    await clock.advance(1);
    expect(await store.pttl('k')).toBe(-2);
  });

  it('runs under the VirtualClock: no timers, no virtual time spent per command', async () => {
    const clock = new VirtualClock();
    const store = createEmbeddedStore(clock);
    const log = await clock.run(
      (async () => {
        const out: string[] = [];
        out.push(`${clock.now()} a:${await store.acquire('lock', 'a', 100)}`);
        out.push(`${clock.now()} b:${await store.acquire('lock', 'b', 100)}`);
        await clock.sleep(100);
        out.push(`${clock.now()} b:${await store.acquire('lock', 'b', 100)}`);
        await clock.sleep(1);
        out.push(`${clock.now()} b:${await store.acquire('lock', 'b', 100)} fence:${await store.nextFence('lock')}`);
        return out;
      })(),
    );
    expect(log).toEqual(['0 a:true', '0 b:false', '100 b:false', '101 b:true fence:1']);
  });

  it('gives each store its own default prefix and refuses a prefix outside herd:', () => {
    const clock = createManualClock();
    expect(createEmbeddedStore(clock).prefix).not.toBe(createEmbeddedStore(clock).prefix);
    expect(createEmbeddedStore(clock, { prefix: 'herd:mine:' }).prefix).toBe('herd:mine:');
    expect(() => createEmbeddedStore(clock, { prefix: 'app:' })).toThrow(/must start with 'herd:'/);
    expect(() => createEmbeddedStore(clock, { prefix: 'herd:' })).toThrow(RangeError);
  });
});

// Redis: REDIS_URL, else 127.0.0.1:6379, else a private redis-server; in CI a missing one throws.
const location = await locateRedis();
const skipReason = 'skip' in location ? location.skip : undefined;
if (skipReason !== undefined) console.warn(`store.test.ts: ${skipReason}`);
const redisUrl = 'url' in location ? location.url : '';
afterAll(async () => {
  if ('stop' in location) await location.stop();
});

describe.skipIf(skipReason !== undefined)(`redis store (${'how' in location ? location.how : 'skipped'})`, () => {
  defineStoreContract('redis', async () => ({
    store: await createRedisStore({ url: redisUrl }),
    advance: realSleep,
  }));

  it('never touches a key outside its prefix, through every command and cleanup()', async () => {
    const outside = `tth-outside-${randomBytes(6).toString('hex')}`;
    const raw = new Redis(redisUrl, { lazyConnect: true });
    await raw.connect();
    try {
      await raw.set(outside, 'keep', 'PX', 60_000);
      const store = await createRedisStore({ url: redisUrl });
      expect(outside.startsWith(store.prefix)).toBe(false);
      // Every name a careless caller might pass, including the outside key's own name and globs.
      for (const name of [outside, '*', `../${outside}`]) {
        await store.set(name, 'v', 2000);
        await store.get(name);
        await store.pttl(name);
        await store.acquire(name, 't', 2000);
        await store.release(name, 't');
        await store.nextFence(name);
        await store.setFenced(name, 'v', 1, 2000);
        await store.del(name);
      }
      expect(await store.cleanup()).toBeGreaterThan(0);
      await store.close();
      expect(await raw.get(outside)).toBe('keep');
    } finally {
      await raw.del(outside);
      await raw.quit();
    }
  });

  it('a store whose Redis dies fails its next command fast with one STORE_UNAVAILABLE line', async () => {
    const own = await spawnRedis();
    if ('failure' in own) return void console.warn(`no private redis-server for this check: ${own.failure}`);
    const store = await createRedisStore({ url: own.url });
    try {
      await store.set('k', 'v', 2000);
      await own.stop();
      const started = performance.now();
      const err = await store.get('k').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(performance.now() - started).toBeLessThan(2500);
      expect(isHerdError(err, 'STORE_UNAVAILABLE')).toBe(true);
      expect((err as Error).message).toContain(own.url);
      expect((err as Error).message).not.toContain('\n');
    } finally {
      await store.close();
      await own.stop();
    }
  });
});

describe('redis store without a Redis', () => {
  it('rejects within 2 s with one STORE_UNAVAILABLE line naming the URL and the fix, printing nothing', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const started = performance.now();
    try {
      const err = await createRedisStore({ url: 'redis://127.0.0.1:1' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(performance.now() - started).toBeLessThan(2000);
      expect(isHerdError(err, 'STORE_UNAVAILABLE')).toBe(true);
      const message = (err as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toContain('redis://127.0.0.1:1');
      expect(message).toMatch(/redis-server --port 1 .*REDIS_URL/);
      await realSleep(100); // any late 'error' event from the dead client would land here
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
  });

  it('locateRedis: a REDIS_URL that does not answer is an error, never silently replaced', async () => {
    const saved = process.env.REDIS_URL;
    process.env.REDIS_URL = 'redis://:secret@127.0.0.1:1';
    try {
      const err = await locateRedis({ ci: false }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isHerdError(err, 'STORE_UNAVAILABLE')).toBe(true);
      expect((err as Error).message).toMatch(/^REDIS_URL=redis:\/\/127\.0\.0\.1:1 did not answer \(ECONNREFUSED\)/);
      expect((err as Error).message).not.toContain('secret');
    } finally {
      if (saved === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved;
    }
  });
});

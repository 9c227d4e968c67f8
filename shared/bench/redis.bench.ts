/**
 * `pnpm bench:redis`: what the Redis-backed store costs on this machine. Every figure printed is
 * measured on the spot against the located Redis (REDIS_URL, 127.0.0.1:6379 or a private
 * redis-server); with no Redis at all it prints the skip reason and exits 0.
 *
 * Sections: lock round trips (below). Fleet-run figures go in their own section, a function next
 * to measureLockRoundTrips, called from main() after it.
 */
import { pathToFileURL } from 'node:url';
import { createRedisStore, isHerdError, locateRedis, percentile, type SharedStore } from '../src/index.js';

export interface LockRoundTrips {
  /** Measured acquire+release pairs (warm-up excluded). */
  iterations: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The p99 a lock round trip on loopback should stay under, or locking costs more than it saves. */
export const LOCK_P99_TARGET_MS = 1;

// ---- Section: lock round trips ------------------------------------------------------------

/**
 * Sequential `acquire` (SET NX PX) then `release` (compare-and-delete script) on one lock name:
 * each pair is two Redis round trips, timed together.
 */
export async function measureLockRoundTrips(
  store: SharedStore,
  options: { iterations?: number; warmup?: number } = {},
): Promise<LockRoundTrips> {
  const iterations = options.iterations ?? 5000;
  const warmup = options.warmup ?? 500;
  const samples = new Float64Array(iterations);
  let started = 0;
  for (let i = -warmup; i < iterations; i++) {
    if (i === 0) started = performance.now();
    const token = `bench-${i}`;
    const t0 = performance.now();
    const took = await store.acquire('bench:lock', token, 5000);
    const released = await store.release('bench:lock', token);
    const t1 = performance.now();
    if (!took || !released) throw new Error(`bench: lock round trip ${i} failed (acquired ${took}, released ${released}); is another process using ${store.prefix}?`);
    if (i >= 0) samples[i] = t1 - t0;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    iterations,
    seconds,
    perSecond: iterations / seconds,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    maxMs: percentile(samples, 100),
  };
}

export function printLockRoundTrips(r: LockRoundTrips, warmup: number): void {
  const ms = (x: number): string => `${x.toFixed(3)} ms`;
  console.log(`lock acquire+release (SET NX PX, then compare-and-delete script), ${r.iterations} sequential pairs after ${warmup} warm-up:`);
  console.log(
    `  ${Math.round(r.perSecond).toLocaleString('en-US')} acquire+release round trips/s   p50 ${ms(r.p50Ms)}   p99 ${ms(r.p99Ms)}   max ${ms(r.maxMs)}   (${r.seconds.toFixed(2)} s)`,
  );
  const met = r.p99Ms < LOCK_P99_TARGET_MS;
  console.log(`  target: p99 acquire+release under ${LOCK_P99_TARGET_MS} ms: ${met ? 'met' : 'NOT met'} (p99 ${ms(r.p99Ms)})`);
}

// ---- Runner -------------------------------------------------------------------------------

export async function main(): Promise<number> {
  const location = await locateRedis();
  if ('skip' in location) {
    console.log(`bench:redis: ${location.skip}`);
    return 0;
  }
  const store = await createRedisStore({ url: location.url });
  try {
    console.log(`bench:redis against ${location.url} (${location.how}), node ${process.version}, keys under ${store.prefix}`);
    const warmup = 500;
    printLockRoundTrips(await measureLockRoundTrips(store, { iterations: 5000, warmup }), warmup);
    // Fleet-run figures: add their section's call here.
    return 0;
  } finally {
    await store.cleanup();
    await store.close();
    await location.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // A Redis that is configured but unreachable, or dies mid-run, is one line, not a stack trace.
  process.exitCode = await main().catch((e: unknown) => {
    if (!isHerdError(e)) throw e;
    console.error(`bench:redis: ${e.message}`);
    return 1;
  });
}

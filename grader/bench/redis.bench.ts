/**
 * `pnpm bench:redis`: what the Redis-backed store costs on this machine, and what module 03's
 * lock does for a fleet in real time. Every figure printed is measured on the spot against the
 * located Redis (REDIS_URL, 127.0.0.1:6379 or a private redis-server); with no Redis at all it
 * prints the skip reason and exits 0.
 *
 * Sections: lock round trips; the fleet in one process (4 app instances, real time); the fleet as
 * real processes (forked Node processes, an HTTP origin). Each fleet runs module 02's reference
 * (single-flight only), then module 03's reference (the lock), on identical bursts.
 */
import { pathToFileURL } from 'node:url';
import {
  createRedisStore,
  isHerdError,
  locateRedis,
  percentile,
  realDriver,
  runScenario,
  type AppFactory,
  type RunReport,
  type SharedStore,
} from '@herd/harness/engine';
import { runOnRedis } from '../modules/03-distributed-lock/checks.js';
import { FleetError, runProcessFleet, type FleetRunReport } from '../src/fleet/index.js';
import { loadExports } from '../src/load-learner.js';
import { requireModule } from '../src/manifest.js';
import { redisBursts } from '../modules/03-distributed-lock/scenarios.js';

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

/** Rounds of round trips; the verdict is on the median round's p99 (a VM's hiccups move single rounds). */
const ROUNDS = 3;

export function printLockRoundTrips(rounds: readonly LockRoundTrips[], warmup: number): void {
  const ms = (x: number): string => `${x.toFixed(3)} ms`;
  console.log(`lock acquire+release (SET NX PX, then compare-and-delete script), ${rounds.length} rounds of ${rounds[0]!.iterations} sequential pairs after ${warmup} warm-up:`);
  for (const r of rounds) {
    console.log(
      `  ${Math.round(r.perSecond).toLocaleString('en-US')} acquire+release round trips/s   p50 ${ms(r.p50Ms)}   p99 ${ms(r.p99Ms)}   max ${ms(r.maxMs)}   (${r.seconds.toFixed(2)} s)`,
    );
  }
  const p99 = [...rounds.map((r) => r.p99Ms)].sort((a, b) => a - b)[Math.floor(rounds.length / 2)]!;
  const met = p99 < LOCK_P99_TARGET_MS;
  console.log(`  target: p99 acquire+release under ${LOCK_P99_TARGET_MS} ms (median round): ${met ? 'met' : 'NOT met'} (p99 ${ms(p99)})`);
}

// ---- Section: the fleet in one process, real time ------------------------------------------

const perBoundary = (queries: readonly number[]): string => {
  if (queries.length === 0) return 'none';
  const lo = Math.min(...queries);
  const hi = Math.max(...queries);
  return lo === hi ? `${lo}` : `${lo}-${hi}`;
};

/**
 * The Redis check's scenario (4 instances, bursts of 50 each every 1.5 s, TTL 1 s, origin 100 ms)
 * in real time: module 02's reference with per-instance caches, then module 03's reference on
 * the located Redis.
 */
export async function measureFleetInProcess(url: string, seed = 1): Promise<{ before: RunReport; beforeMs: number; after: RunReport; afterMs: number; waits: number[] }> {
  const flight = await loadExports(requireModule('02', 'bench'), 'solution');
  const locked = await loadExports(requireModule('03', 'bench'), 'solution');
  let t = performance.now();
  const before = (await runScenario(redisBursts(seed), flight.createSingleFlightCache as AppFactory, { driver: realDriver })).report;
  const beforeMs = performance.now() - t;
  t = performance.now();
  const run = await runOnRedis(locked, url, seed);
  const afterMs = performance.now() - t;
  const waits = run.fleet.flatMap((f: { app: unknown }) => (f.app as { lockWaits?(): number[] }).lockWaits?.() ?? []);
  return { before, beforeMs, after: run.report, afterMs, waits };
}

function printFleetInProcess(r: Awaited<ReturnType<typeof measureFleetInProcess>>): void {
  const line = (label: string, report: RunReport, wallMs: number): string =>
    `  ${label.padEnd(30)} ${perBoundary(report.boundaries.map((b) => b.queries)).padStart(3)} per burst  ` +
    `(${report.boundaries.length} bursts, by instance ${report.boundaries.map((b) => `[${b.byInstance.join(',')}]`).join(' ')})  ` +
    `${report.requests} requests, p99 ${Math.round(report.latency.p99)} ms, ${(wallMs / 1000).toFixed(2)} s`;
  console.log('\nfleet in one process, real time: 4 instances, bursts of 50 per instance every 1.5 s, TTL 1 s, origin 100 ms');
  console.log(line('02 single-flight (reference)', r.before, r.beforeMs));
  console.log(line('03 lock on Redis (reference)', r.after, r.afterMs));
  if (r.waits.length > 0) {
    console.log(`  lock waits: ${r.waits.length}, p50 ${Math.round(percentile(r.waits, 50))} ms, p99 ${Math.round(percentile(r.waits, 99))} ms`);
  }
}

// ---- Section: the fleet as real processes ---------------------------------------------------

export async function measureProcessFleet(url: string, processes = 4): Promise<{ before: FleetRunReport; after: FleetRunReport }> {
  const before = await runProcessFleet({ processes, module: '02-single-flight', redisUrl: url });
  const after = await runProcessFleet({ processes, module: '03-distributed-lock', redisUrl: url });
  return { before, after };
}

function printProcessFleet(r: Awaited<ReturnType<typeof measureProcessFleet>>): void {
  const line = (label: string, f: FleetRunReport): string =>
    `  ${label.padEnd(30)} ${perBoundary(f.boundaries.map((b) => b.queries)).padStart(3)} per burst  ` +
    `(${f.boundaries.length} bursts, by instance ${f.boundaries.map((b) => `[${b.byInstance.join(',')}]`).join(' ')})  ` +
    `${f.requests} requests${f.failed ? ` (${f.failed} failed)` : ''}, p99 ${Math.round(f.latency.p99)} ms, ` +
    `${(f.wallMs / 1000).toFixed(2)} s of which ${(f.startupMs / 1000).toFixed(2)} s starting processes`;
  const p = r.before.processes;
  console.log(`\nfleet of ${p} real processes (one HTTP origin, one Redis): bursts of ${r.before.burstSize} per process`);
  console.log(line('02 single-flight (reference)', r.before));
  console.log(line('03 lock on Redis (reference)', r.after));
  if (r.after.lockWaits) console.log(`  lock waits: ${r.after.lockWaits.count}, p50 ${Math.round(r.after.lockWaits.p50)} ms, p99 ${Math.round(r.after.lockWaits.p99)} ms`);
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
    const rounds: LockRoundTrips[] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await measureLockRoundTrips(store, { iterations: 5000, warmup: i === 0 ? warmup : 0 }));
    printLockRoundTrips(rounds, warmup);
    printFleetInProcess(await measureFleetInProcess(location.url));
    printProcessFleet(await measureProcessFleet(location.url));
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
    if (!isHerdError(e) && !(e instanceof FleetError)) throw e;
    console.error(`bench:redis: ${e.message}`);
    return 1;
  });
}

/**
 * The capstone's load (autocannon's programmatic API) and the figures of one row, read from
 * outside: origin queries per TTL boundary from the origin's own log (fleet-wide, clustered the
 * way the harness clusters them), the sawtooth from the origin's query rate, p99 and p99.9 from
 * autocannon (corrected for coordinated omission: the load runs at a fixed rate), the miss rate
 * from the workers (requests that found no value in any cache tier) and the errors.
 */
import autocannon from 'autocannon';
import { clusterBoundaries, createRng, detectSawtooth, ratePerBin, realClock } from '@herd/harness/engine';
import type { Fleet } from './fleet.js';
import type { WorkerStats } from './protocol.js';

export const SCENARIOS = ['hot-key', 'burst', 'mixed'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface LoadOptions {
  scenario: Scenario;
  /** Seconds of load. */
  seconds: number;
  /** Requests per second, fleet-wide. */
  rate: number;
  seed?: number;
  /** How long the row's cache keeps an entry, when not the course's TTL (nginx: whole seconds). */
  cacheTtlMs?: number;
}

export const HOT = 'hot';

export interface RowFigures {
  scenario: Scenario;
  requests: number;
  /** TTL boundaries the hot key crossed during the load (clusters of origin queries). */
  boundaries: number;
  /** Hot-key origin queries per boundary, fleet-wide: mean and the largest boundary. */
  perBoundary: number;
  maxPerBoundary: number;
  /** Origin queries of every key, and per second. */
  queries: number;
  perSecond: number[];
  sawtooth: boolean;
  p99: number;
  p999: number;
  missRate: number;
  errors: number;
  non2xx: number;
  stats: WorkerStats;
}

/** Zipf over `n` ids (s = 1), a seeded stream: the same sequence for every row. */
function zipfPicker(seed: number, n: number, absentShare: number): () => string {
  const rng = createRng(seed).fork('capstone:mixed');
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) cdf.push((acc += w / total));
  let absent = 0;
  return () => {
    if (rng.next() < absentShare) return `absent-${absent++ % 200}`;
    const u = rng.next();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return `item-${lo}`;
  };
}

export const MIXED_IDS = Array.from({ length: 500 }, (_, i) => `item-${i}`);

export async function runLoad(fleet: Fleet, options: LoadOptions): Promise<RowFigures> {
  const { scenario, seconds, rate } = options;
  // The cold fill, outside the measurement: the row starts on a cached key.
  await fetch(`${fleet.url}/items/${HOT}`).then((r) => r.arrayBuffer());
  await new Promise((r) => setTimeout(r, 50));
  const before = await fleet.stats();
  const from = realClock.now();

  const pick = scenario === 'mixed' ? zipfPicker(options.seed ?? 1, MIXED_IDS.length, 0.1) : () => HOT;
  const result = scenario === 'burst' ? await burstLoad(fleet, seconds, rate) : await steadyLoad(fleet.url, seconds, rate, pick);
  const until = realClock.now();
  const stats = await fleet.stats();
  const log = (await fleet.queries(from)).filter((q) => q.t <= until + 500);
  const ttl = options.cacheTtlMs ?? fleet.settings.ttlMs;
  const hot = log.filter((q) => q.key === HOT).map((q) => ({ ...q, durationMs: 0, queuedMs: 0, outcome: 'ok' as const }));
  const clusters = clusterBoundaries(hot, ttl / 2, []);
  const hotQueries = clusters.reduce((s, b) => s + b.queries, 0);
  const perSecond = ratePerBin(
    log.map((q) => q.t - from),
    until - from,
  );
  // Bins a quarter TTL wide: per-second bins would blur a herd every second into a flat rate.
  const fine = ratePerBin(
    hot.map((q) => q.t - from),
    until - from,
    ttl / 4,
  );
  const requests = Math.max(1, stats.requests - before.requests);
  const errors = result.errors + result.timeouts + result.s5xx;
  return {
    scenario,
    requests: Math.max(0, stats.requests - before.requests),
    boundaries: clusters.length,
    perBoundary: clusters.length === 0 ? 0 : hotQueries / clusters.length,
    maxPerBoundary: Math.max(0, ...clusters.map((b) => b.queries)),
    queries: log.length,
    perSecond,
    sawtooth: detectSawtooth(fine, ttl, ttl / 4).detected,
    p99: percentile(result.latencies, 0.99),
    p999: percentile(result.latencies, 0.999),
    missRate: Math.max(0, stats.misses - before.misses) / requests,
    errors,
    non2xx: result.non2xx,
    stats,
  };
}

/** What the rows read from the load: every response's time, and the failures. */
interface Load {
  total: number;
  latencies: number[];
  errors: number;
  timeouts: number;
  non2xx: number;
  s5xx: number;
}

/** autocannon's instances run concurrently; their figures are summed and their latencies pooled. */
async function pooled(runs: Array<{ delayMs: number; options: autocannon.Options }>): Promise<Load> {
  const load: Load = { total: 0, latencies: [], errors: 0, timeouts: 0, non2xx: 0, s5xx: 0 };
  await Promise.all(
    runs.map(
      ({ delayMs, options }) =>
        new Promise<void>((resolve, reject) => {
          setTimeout(() => {
            const instance = autocannon(options, (err: unknown, r: autocannon.Result) => {
              if (err) return reject(err instanceof Error ? err : new Error(String(err)));
              load.total += r.requests.total;
              load.errors += r.errors;
              load.timeouts += r.timeouts;
              load.non2xx += r.non2xx;
              load.s5xx += r['5xx'];
              resolve();
            });
            (instance as unknown as NodeJS.EventEmitter).on('response', (_c: unknown, _status: number, _bytes: number, ms: number) => load.latencies.push(ms));
          }, delayMs);
        }),
    ),
  );
  return load;
}

/**
 * A steady rate from autocannon. An instance paces each connection per whole second (all its
 * requests for a second leave at the second's start), so one instance is one burst a second.
 * PHASES instances, started 1000 / PHASES ms apart, each connection at one request a second,
 * spread that evenly: a group of rate / PHASES requests every 50 ms, each on a connection of its
 * own, as from that many independent clients. They all stop together.
 */
const PHASES = 20;

function steadyLoad(url: string, seconds: number, rate: number, pick: () => string): Promise<Load> {
  const connections = Math.max(1, Math.round(rate / PHASES));
  return pooled(
    Array.from({ length: PHASES }, (_, k) => ({
      delayMs: (k * 1000) / PHASES,
      options: {
        url,
        connections,
        connectionRate: 1,
        duration: seconds - k / PHASES,
        requests: [{ method: 'GET' as const, setupRequest: (req: autocannon.Request) => ({ ...req, path: `/items/${pick()}` }) }],
      },
    })),
  );
}

/** Bursts of `rate / 2` requests at once, every 1.5 TTL, so each one meets an expired key. */
async function burstLoad(fleet: Fleet, seconds: number, rate: number): Promise<Load> {
  const every = fleet.settings.ttlMs * 1.5;
  const bursts = Math.max(1, Math.floor((seconds * 1000) / every));
  const size = Math.max(32, Math.round(rate / 2));
  return pooled(Array.from({ length: bursts }, (_, i) => ({ delayMs: (i + 1) * every, options: { url: `${fleet.url}/items/${HOT}`, connections: size, amount: size } })));
}

export function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

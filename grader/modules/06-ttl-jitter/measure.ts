/**
 * What module 06's checks and headline read off a run, all from outside: the origin's query log
 * (per second, per expiry wave), the served log (latency during the waves) and the log of every
 * write into the in-process cache (its TTL), never a figure the learner's code reports.
 */
import { percentile, type RunResult } from '@herd/harness/engine';
import type { WriteLog } from './app.js';
import type { CatalogueSpec } from './scenarios.js';

/** One expiry wave: the time from a batch to the next batch (or the run's end): the origin queries its expiries caused. */
export interface Wave {
  batchAt: number;
  from: number;
  to: number;
  /** Highest origin queries in one second of the wave, and when. */
  peak: number;
  peakAt: number;
  queries: number;
  /** p99 of the requests that started during the wave's expiries and the 5 s after them. */
  p99: number;
}

/** Origin queries started in each second. */
export const perSecond = (run: RunResult): number[] => run.report.origin.perSecond;

export function waves(run: RunResult, spec: CatalogueSpec, jitter: number): Wave[] {
  const bins = perSecond(run);
  const batches = spec.catalogue.batchesAtMs;
  const out: Wave[] = [];
  for (const [i, at] of batches.entries()) {
    const from = at;
    const to = batches[i + 1] ?? spec.durationMs;
    let peak = 0;
    let peakAt = NaN;
    let queries = 0;
    for (let s = Math.floor(from / 1000); s < Math.ceil(to / 1000) && s < bins.length; s++) {
      queries += bins[s]!;
      if (bins[s]! > peak) [peak, peakAt] = [bins[s]!, s * 1000];
    }
    const lat: number[] = [];
    const { served } = run;
    const w0 = at + spec.ttlMs * (1 - jitter);
    const w1 = Math.min(to, at + spec.ttlMs * (1 + jitter) + 5000);
    for (let r = 0; r < served.n; r++) if (served.start[r]! >= w0 && served.start[r]! < w1) lat.push(served.latency[r]!);
    out.push({ batchAt: at, from, to, peak, peakAt, queries, p99: percentile(lat, 99) });
  }
  return out;
}

export interface TtlStats {
  writes: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
}

export function ttlStats(values: ArrayLike<number>): TtlStats {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i]! - mean) ** 2;
  return { writes: values.length, mean, sd: Math.sqrt(sq / Math.max(1, values.length - 1)), min, max };
}

/** The TTLs of the writes the batch at `at` made (within the instant of the batch), by key. */
export function batchTtls(log: WriteLog, at: number, instance = 'i0'): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < log.n; i++) if (log.t[i] === at && log.instance[i] === instance && !out.has(log.key[i]!)) out.set(log.key[i]!, log.ttl[i]!);
  return out;
}

/** Pearson correlation of two equal-length series (NaN when either is constant). */
export function correlation(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? NaN : sab / Math.sqrt(saa * sbb);
}

/** The expiry times the batch at `at` set (write time + TTL), per second: the histogram of expiries. */
export function expiryHistogram(log: WriteLog, at: number, binMs = 1000): { fromMs: number; counts: number[] } {
  const ttls = [...batchTtls(log, at).values()];
  if (ttls.length === 0) return { fromMs: at, counts: [] };
  const lo = Math.floor((at + Math.min(...ttls)) / binMs) * binMs;
  const hi = at + Math.max(...ttls);
  const counts = new Array<number>(Math.max(1, Math.floor((hi - lo) / binMs) + 1)).fill(0);
  for (const t of ttls) counts[Math.floor((at + t - lo) / binMs)]!++;
  return { fromMs: lo, counts };
}

/**
 * Origin queries that arrived while a query for the same key from the same instance was still
 * running: the duplicates a single flight exists to prevent, counted from the origin's log.
 */
export function overlappingQueries(run: RunResult): { count: number; first?: { t: number; key: string; instance: string } } {
  const busyUntil = new Map<string, number>();
  let count = 0;
  let first: { t: number; key: string; instance: string } | undefined;
  for (const q of run.origin.log) {
    const id = `${q.instance} ${q.key}`;
    const until = busyUntil.get(id);
    if (until !== undefined && q.t < until) {
      count++;
      first ??= { t: q.t, key: q.key, instance: q.instance };
    }
    const end = q.durationMs < 0 ? Infinity : q.t + q.durationMs;
    busyUntil.set(id, Math.max(until ?? -Infinity, end));
  }
  return { count, first };
}

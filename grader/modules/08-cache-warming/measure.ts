/**
 * What module 08's checks read off a cutover run, all from the grader's side: the origin's own
 * query log (warming's queries are logged under WARMER), the live reads, the tiers' contents.
 */
import { percentile, type QueryRecord } from '@herd/harness/engine';
import { WARMER, type CutoverRun } from './app.js';

/** The slots warming may hold: the share of the origin's capacity, rounded down, at least 1. */
export const slotsFor = (capacity: number, share: number): number => Math.max(1, Math.floor(capacity * share));

/** The first warmTier call's queries at the origin, or the call's logged under `instance`. */
export const warmQueries = (run: CutoverRun, instance = WARMER): QueryRecord[] => run.origin.log.filter((q) => q.instance === instance);

/** The most warming queries at the origin at once (arrival to answer, queued included), and when. */
export function mostAtOnce(queries: readonly QueryRecord[]): { count: number; at: number } {
  const events: Array<[number, number]> = [];
  for (const q of queries) {
    events.push([q.t, 1]);
    events.push([q.durationMs >= 0 ? q.t + q.durationMs : Infinity, -1]);
  }
  // An answer and an arrival at one instant: the answer first (p-limit starts the next on it).
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = { count: 0, at: NaN };
  for (const [t, d] of events) {
    now += d;
    if (now > most.count) most = { count: now, at: t };
  }
  return most;
}

/** Warming's mean concurrency at the origin from its first query to `until`: busy time / elapsed. */
export function meanAtOnce(queries: readonly QueryRecord[], until: number): number {
  if (queries.length === 0) return 0;
  const from = queries[0]!.t;
  let busy = 0;
  for (const q of queries) busy += Math.max(0, Math.min(q.durationMs >= 0 ? q.t + q.durationMs : until, until) - q.t);
  return until > from ? busy / (until - from) : 0;
}

/** Origin queries (live and warming) per second, in seconds counted from `from`. */
export function perSecondFrom(run: CutoverRun, from: number, seconds: number): number[] {
  const out = new Array<number>(seconds).fill(0);
  for (const q of run.origin.log) {
    const s = Math.floor((q.t - from) / 1000);
    if (s >= 0 && s < seconds) out[s]!++;
  }
  return out;
}

/** Origin queries per second over the whole run. */
export function perSecond(run: CutoverRun): number[] {
  const out = new Array<number>(Math.ceil(run.spec.durationMs / 1000)).fill(0);
  for (const q of run.origin.log) {
    const s = Math.floor(q.t / 1000);
    if (s < out.length) out[s]!++;
  }
  return out;
}

/** Live reads that failed at or after `from`. */
export function failedFrom(run: CutoverRun, from: number): number {
  const { served } = run.result;
  let n = 0;
  for (let i = 0; i < served.n; i++) if (served.ok[i] !== 1 && served.start[i]! >= from) n++;
  return n;
}

/** Live reads started in [from, to). */
export function readsBetween(run: CutoverRun, from: number, to: number): number {
  const { served } = run.result;
  let n = 0;
  for (let i = 0; i < served.n; i++) if (served.start[i]! >= from && served.start[i]! < to) n++;
  return n;
}

/** Live reads that missed the old tier in [from, to): their p99 and how many failed. */
export function oldTierMisses(run: CutoverRun, from: number, to: number): { count: number; p99: number; failed: number } {
  const m = run.liveMisses.filter((x) => !x.onNew && x.start >= from && x.start < to);
  return { count: m.length, p99: m.length === 0 ? 0 : percentile(m.map((x) => x.latency), 99), failed: m.filter((x) => !x.ok).length };
}

/** The new tier's hit rate on live reads in the first second after the cutover. */
export function firstSecondHitRate(run: CutoverRun): number {
  const h = run.newTier.hits[0] ?? 0;
  const m = run.newTier.misses[0] ?? 0;
  return h + m === 0 ? NaN : h / (h + m);
}

/**
 * Warming queries that started out of order: a key started while a key the log read more often
 * was still to start `slack` or more queries later (p-limit starts queries in the order given).
 */
export function outOfOrder(queries: readonly QueryRecord[], counts: ReadonlyMap<string, number>, slack: number): { count: number; first?: { key: string; reads: number; later: string; laterReads: number } } {
  const c = queries.map((q) => counts.get(q.key) ?? 0);
  const best = new Array<number>(c.length + 1).fill(-1);
  for (let i = c.length - 1; i >= 0; i--) best[i] = best[i + 1]! < 0 || c[i]! > c[best[i + 1]!]! ? i : best[i + 1]!;
  let count = 0;
  let first: { key: string; reads: number; later: string; laterReads: number } | undefined;
  for (let i = 0; i + slack < c.length; i++) {
    const j = best[i + slack]!;
    if (j >= 0 && c[j]! > c[i]!) {
      count++;
      first ??= { key: queries[i]!.key, reads: c[i]!, later: queries[j]!.key, laterReads: c[j]! };
    }
  }
  return { count, first };
}

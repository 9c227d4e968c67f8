/**
 * What module 05's checks and headline read off a run, all from the harness's side: the origin
 * log (every recompute, when it started, how long it took), the boundaries, the served log. The
 * learner's own figures are never asked for.
 */
import type { BoundaryReport, RunResult } from '@herd/harness/engine';

/** A refresh after the cold start: when it started, and how long before the live value's expiry. */
export interface Refresh {
  /** The boundary's first origin query, ms. */
  start: number;
  /** Origin queries in this refresh, fleet-wide. */
  queries: number;
  /** Expiry of the value the previous refresh wrote minus `start`: > 0 is early, < 0 after expiry. */
  leadMs: number;
  /** When the recompute that wrote that value started, and how long it took (the delta it measured). */
  previous: { start: number; durationMs: number };
}

/**
 * The refreshes of `key` after its cold start, one per boundary. The value live at a boundary is
 * the one the previous boundary wrote last, written once its query answered, for `ttlMs`.
 */
export function refreshes(run: RunResult, key: string, ttlMs: number): Refresh[] {
  const log = run.origin.log.filter((q) => q.key === key);
  const bounds = run.report.boundaries.filter((b) => b.key === key);
  const out: Refresh[] = [];
  for (let i = 1; i < bounds.length; i++) {
    const prev = bounds[i - 1]!;
    let last: { start: number; durationMs: number } | undefined;
    for (const q of log) {
      if (q.t < prev.start || q.t > prev.end || !(q.durationMs >= 0) || q.outcome !== 'ok') continue;
      if (last === undefined || q.t + q.durationMs > last.start + last.durationMs) last = { start: q.t, durationMs: q.durationMs };
    }
    if (last === undefined) continue;
    const b = bounds[i]!;
    out.push({ start: b.start, queries: b.queries, leadMs: last.start + last.durationMs + ttlMs - b.start, previous: last });
  }
  return out;
}

/**
 * Cache reads that missed after the key's cold start: reads that found the value expired. Each
 * such miss starts or joins a recompute, so it falls inside a later boundary's window.
 */
export function missesAfterColdStart(run: RunResult, key?: string): number {
  const bounds = run.report.boundaries.filter((b) => key === undefined || b.key === key);
  return bounds.slice(1).reduce((sum, b) => sum + b.misses, 0);
}

/** A read slower than this waited for a recompute: a hit is a store round trip or two, a recompute 200 ms. */
export const WAITED_MS = 50;

/**
 * The cold start is over once its first value is in the store: its query answered, plus this
 * for the write (a few store round trips). Reads before then may still wait for it.
 */
export const COLD_START_WRITE_MS = 10;

/** Boundaries after each key's cold start. */
export const afterColdStart = (run: RunResult): BoundaryReport[] => {
  const seen = new Set<string>();
  return run.report.boundaries.filter((b) => (seen.has(b.key) ? true : (seen.add(b.key), false)));
};

/** The run's typical request latency: a hit (p50 over every request). */
export const hitLatency = (run: RunResult): number => run.report.latency.p50;

/** The slowest request that started after the cold start's boundary closed. */
export function slowestAfterColdStart(run: RunResult): { at: number; latency: number } {
  const first = run.report.boundaries[0];
  const from = first === undefined ? 0 : first.end + COLD_START_WRITE_MS;
  let worst = { at: NaN, latency: 0 };
  const { served } = run;
  for (let i = 0; i < served.n; i++) {
    if (served.start[i]! <= from) continue;
    if (served.latency[i]! > worst.latency) worst = { at: served.start[i]!, latency: served.latency[i]! };
  }
  return worst;
}

export interface Tail {
  /** Keys read about once per TTL (COLD.min to COLD.max reads per TTL). */
  keys: number;
  reads: number;
  queries: number;
  /** Cold reads that waited for a recompute (slower than WAITED_MS): what a miss costs a reader. */
  waited: number;
  /** The most-read key of the run, its reads per TTL, and its reads that waited after its cold start. */
  hot: { key: string; readsPerTtl: number; waited: number };
}

/** The cold tail and the hot head of a many-key run: reads from the served log, queries from the origin log. */
export function tail(run: RunResult, cold: { min: number; max: number }): Tail {
  const { served, report } = run;
  const windows = report.durationMs / report.ttlMs;
  const reads = new Map<string, number>();
  for (let i = 0; i < served.n; i++) {
    const k = served.keys[served.key[i]!]!;
    reads.set(k, (reads.get(k) ?? 0) + 1);
  }
  // Each key's cold start: its first boundary, over once the value is written.
  const coldStartEnd = new Map<string, number>();
  for (const b of report.boundaries) if (!coldStartEnd.has(b.key)) coldStartEnd.set(b.key, b.end + COLD_START_WRITE_MS);
  const coldKeys = new Set([...reads].filter(([, r]) => r / windows >= cold.min && r / windows <= cold.max).map(([k]) => k));
  let hot: [string, number] = ['', 0];
  for (const entry of reads) if (entry[1] > hot[1]) hot = entry;
  let coldReads = 0;
  for (const k of coldKeys) coldReads += reads.get(k)!;
  let coldWaited = 0;
  let hotWaited = 0;
  for (let i = 0; i < served.n; i++) {
    if (!(served.latency[i]! > WAITED_MS)) continue;
    const k = served.keys[served.key[i]!]!;
    if (coldKeys.has(k)) coldWaited++;
    else if (k === hot[0] && served.start[i]! > (coldStartEnd.get(k) ?? 0)) hotWaited++;
  }
  return {
    keys: coldKeys.size,
    reads: coldReads,
    queries: run.origin.log.filter((q) => coldKeys.has(q.key)).length,
    waited: coldWaited,
    hot: { key: hot[0], readsPerTtl: hot[1] / windows, waited: hotWaited },
  };
}

export const mean = (values: readonly number[]): number => (values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length);

/**
 * The most origin queries for one key that one instance had running at once, and where: 1 with a
 * single flight around every recompute (early or on a miss), more when a recompute escapes it.
 */
export function mostAtOnce(run: RunResult, key: string): { count: number; instance: string; at: number } {
  const running = new Map<string, number[]>();
  let most = { count: 0, instance: '', at: NaN };
  for (const q of run.origin.log) {
    if (q.key !== key) continue;
    const ends = (running.get(q.instance) ?? []).filter((end) => end > q.t);
    ends.push(q.durationMs >= 0 ? q.t + q.durationMs : Infinity);
    running.set(q.instance, ends);
    if (ends.length > most.count) most = { count: ends.length, instance: q.instance, at: q.t };
  }
  return most;
}

/** Max minus min: how much the head start varied between refreshes. */
export const spread = (values: readonly number[]): number => (values.length === 0 ? 0 : Math.max(...values) - Math.min(...values));

/** A failed origin query for `key`, with the expiry of the value live when it started. */
export interface FailedRecompute {
  /** When the failed query started, ms. */
  start: number;
  /** How far ahead of the live value's expiry it started (> 0: an early recompute). */
  leadMs: number;
  /** How far ahead of that expiry the next successful query answered (< 0: after it), or NaN. */
  nextLandedLeadMs: number;
}

/**
 * Every failed query for `key` after the cold start: how early it was, and how far ahead of the
 * same expiry the next successful recompute landed. The live value is the one the last
 * successful query before it wrote, for `ttlMs` from its answer.
 */
export function failedRecomputes(run: RunResult, key: string, ttlMs: number): FailedRecompute[] {
  const log = run.origin.log.filter((q) => q.key === key && q.durationMs >= 0);
  const out: FailedRecompute[] = [];
  for (const q of log) {
    if (q.outcome === 'ok') continue;
    let live: number | undefined;
    for (const p of log) if (p.outcome === 'ok' && p.t + p.durationMs <= q.t) live = Math.max(live ?? -Infinity, p.t + p.durationMs + ttlMs);
    if (live === undefined) continue;
    const next = log.find((p) => p.outcome === 'ok' && p.t > q.t);
    out.push({ start: q.t, leadMs: live - q.t, nextLandedLeadMs: next === undefined ? NaN : live - (next.t + next.durationMs) });
  }
  return out;
}

/**
 * What module 07's checks read off a run, all from the harness's side: the origin's log (every
 * query, its instance, when it started and ended, and whether it answered "not found") and the
 * served log (every read, its answer). The learner's own figures are never asked for.
 */
import { Answer, type QueryRecord, type RunResult } from '@herd/harness/engine';
import type { ScanShape } from './scenarios.js';

const end = (q: QueryRecord): number => q.t + Math.max(0, q.durationMs);

/** Queries by key (in start order), optionally only those `keep` accepts. */
export function queriesByKey(run: RunResult, keep: (q: QueryRecord) => boolean = () => true): Map<string, QueryRecord[]> {
  const by = new Map<string, QueryRecord[]>();
  for (const q of run.origin.log) {
    if (!keep(q)) continue;
    const list = by.get(q.key);
    if (list === undefined) by.set(q.key, [q]);
    else list.push(q);
  }
  return by;
}

export interface Crowding {
  /** The most "not found" answers one instance asked for one key within one negative TTL. */
  most: number;
  key: string;
  instance: string;
  /** Start of that window, ms. */
  at: number;
  /** Fleet-wide: "not found" queries over distinct negative-TTL windows, mean over keys. */
  perWindow: number;
  /** Absent keys queried. */
  keys: number;
}

/**
 * How often the origin answered "not found" for the same key within one negative TTL: per
 * instance (the most in any window of `windowMs`), and fleet-wide (queries per window, a window
 * opened by a query that falls in no open one). `keys` picks the keys; `fromMs`/`toMs` the span.
 */
export function crowding(run: RunResult, windowMs: number, keys: (key: string) => boolean, span: { fromMs?: number; toMs?: number } = {}, outcome: QueryRecord['outcome'] = 'absent'): Crowding {
  const from = span.fromMs ?? -Infinity;
  const to = span.toMs ?? Infinity;
  const by = queriesByKey(run, (q) => q.outcome === outcome && keys(q.key) && q.t >= from && q.t < to);
  let worst: Crowding = { most: 0, key: '', instance: '', at: NaN, perWindow: 0, keys: by.size };
  let ratios = 0;
  for (const [key, list] of by) {
    const perInstance = new Map<string, number[]>();
    let windows = 0;
    let open = -Infinity;
    for (const q of list) {
      if (q.t >= open + windowMs) {
        windows++;
        open = q.t;
      }
      const starts = perInstance.get(q.instance) ?? [];
      starts.push(q.t);
      perInstance.set(q.instance, starts);
    }
    ratios += list.length / windows;
    for (const [instance, starts] of perInstance) {
      let lo = 0;
      for (let hi = 0; hi < starts.length; hi++) {
        while (starts[hi]! - starts[lo]! >= windowMs) lo++;
        if (hi - lo + 1 > worst.most) worst = { ...worst, most: hi - lo + 1, key, instance, at: starts[lo]! };
      }
    }
  }
  worst.perWindow = by.size === 0 ? 0 : ratios / by.size;
  return worst;
}

/** Reads of keys `keys` picks that the origin answered no query for while they ran: cache answers. */
export function answeredFromCache(run: RunResult, keys: (key: string) => boolean, span: { fromMs?: number; toMs?: number } = {}): { reads: number; cached: number } {
  const by = queriesByKey(run, (q) => keys(q.key));
  const { served } = run;
  let reads = 0;
  let cached = 0;
  for (let i = 0; i < served.n; i++) {
    const key = served.keys[served.key[i]!]!;
    const start = served.start[i]!;
    if (!keys(key) || start < (span.fromMs ?? -Infinity) || start >= (span.toMs ?? Infinity)) continue;
    reads++;
    if (!queriedDuring(by.get(key), start, start + served.latency[i]!)) cached++;
  }
  return { reads, cached };
}

/** Whether some query of `list` started in [from, to]. */
function queriedDuring(list: readonly QueryRecord[] | undefined, from: number, to: number): boolean {
  if (list === undefined) return false;
  for (const q of list) if (q.t >= from && q.t <= to) return true;
  return false;
}

/** Share of a population's reads answered with no origin query of their own. */
export const cachedShare = (c: { reads: number; cached: number }): number => (c.reads === 0 ? 0 : c.cached / c.reads);

/** Hit rate of the existing items: 1 - their origin queries / their reads. */
export function itemHitRate(run: RunResult, span: { fromMs?: number; toMs?: number } = {}): { reads: number; queries: number; rate: number } {
  const from = span.fromMs ?? -Infinity;
  const to = span.toMs ?? Infinity;
  let reads = 0;
  const { served } = run;
  for (let i = 0; i < served.n; i++) if (served.start[i]! >= from && served.start[i]! < to && served.keys[served.key[i]!]!.startsWith('item:')) reads++;
  const queries = run.origin.log.filter((q) => q.t >= from && q.t < to && q.key.startsWith('item:')).length;
  return { reads, queries, rate: reads === 0 ? 0 : 1 - queries / reads };
}

export interface Probe {
  at: number;
  /** Probe reads (the scan's last ids, read again newest first). */
  reads: number;
  /** Of those, answered from the cache: ids the negative space still held. */
  held: number;
  /** Of the newest `newest` ids, how many were held. */
  newestHeld: number;
  newest: number;
}

/**
 * The scan's probes: each turns back over the ids it read last, newest first. A read of a scan
 * id that is not its first read is a probe read; it was held if no query answered it.
 */
export function probes(run: RunResult, newest: number, scan: ScanShape): Probe[] {
  const by = queriesByKey(run, (q) => q.key.startsWith('scan:'));
  const { served } = run;
  const seen = new Set<string>();
  const reads: Array<{ start: number; held: boolean }> = [];
  const order = Array.from({ length: served.n }, (_, i) => i)
    .filter((i) => served.keys[served.key[i]!]!.startsWith('scan:'))
    .sort((a, b) => served.start[a]! - served.start[b]!);
  for (const i of order) {
    const key = served.keys[served.key[i]!]!;
    if (!seen.has(key)) {
      seen.add(key);
      continue;
    }
    const start = served.start[i]!;
    reads.push({ start, held: served.ok[i] === 1 && !queriedDuring(by.get(key), start, start + served.latency[i]!) });
  }
  return scan.probesAtMs.map((at, p) => {
    const next = scan.probesAtMs[p + 1] ?? Infinity;
    const mine = reads.filter((r) => r.start >= at && r.start < next);
    return { at, reads: mine.length, held: mine.filter((r) => r.held).length, newest, newestHeld: mine.slice(0, newest).filter((r) => r.held).length };
  });
}

/**
 * Null answers for a key with no "not found" from the origin in the `windowMs` before them (an
 * error or a timeout kept as "not found", an entry kept past its TTL): the first one, and how many.
 */
export function unbackedNulls(run: RunResult, windowMs: number, keys: (key: string) => boolean): { count: number; first?: { key: string; instance: number; at: number; lastAbsent: number } } {
  const by = queriesByKey(run, (q) => q.outcome === 'absent' && keys(q.key));
  const { served } = run;
  let count = 0;
  let first: { key: string; instance: number; at: number; lastAbsent: number } | undefined;
  for (let i = 0; i < served.n; i++) {
    if (served.ok[i] !== 1 || served.answer[i] !== Answer.null) continue;
    const key = served.keys[served.key[i]!]!;
    if (!keys(key)) continue;
    const answered = served.start[i]! + served.latency[i]!;
    let last = -Infinity;
    for (const q of by.get(key) ?? []) if (end(q) <= answered && end(q) > last) last = end(q);
    if (answered - last <= windowMs) continue;
    count++;
    if (first === undefined || answered < first.at) first = { key, instance: served.instance[i]!, at: answered, lastAbsent: last };
  }
  return first === undefined ? { count } : { count, first };
}

/** The latest start of a read of `key` answered null at or after `fromMs` (NaN when none). */
export function lastNullFrom(run: RunResult, key: string, fromMs: number, instance?: number): number {
  const { served } = run;
  const id = served.idOf(key);
  let last = NaN;
  if (id === undefined) return last;
  for (let i = 0; i < served.n; i++) {
    if (served.key[i] !== id || served.ok[i] !== 1 || served.answer[i] !== Answer.null) continue;
    if (instance !== undefined && served.instance[i] !== instance) continue;
    const s = served.start[i]!;
    if (s >= fromMs && !(s <= last)) last = s;
  }
  return last;
}

/**
 * Reads that answered after a query of their own (started within the read, same key and
 * instance) had failed: a retry loop inside get() that keeps an error from the caller.
 */
export function retriedInside(run: RunResult): { count: number; first?: { key: string; instance: string; at: number; failures: number; waitedMs: number } } {
  const failed = queriesByKey(run, (q) => q.outcome === 'error' || q.outcome === 'timeout');
  const { served } = run;
  let count = 0;
  let first: { key: string; instance: string; at: number; failures: number; waitedMs: number } | undefined;
  for (let i = 0; i < served.n; i++) {
    if (served.ok[i] !== 1) continue;
    const key = served.keys[served.key[i]!]!;
    const list = failed.get(key);
    if (list === undefined) continue;
    const instance = `i${served.instance[i]}`;
    const start = served.start[i]!;
    const done = start + served.latency[i]!;
    const failures = list.filter((q) => q.instance === instance && q.t >= start && end(q) <= done).length;
    if (failures === 0) continue;
    count++;
    if (first === undefined || failures > first.failures) first = { key, instance, at: start, failures, waitedMs: served.latency[i]! };
  }
  return first === undefined ? { count } : { count, first };
}

/**
 * Reads that failed with no query of their own, starting after a query for the same key failed
 * on the same instance: a failure kept and replayed instead of asking again.
 */
export function replayedFailures(run: RunResult): { count: number; first?: { key: string; instance: string; at: number } } {
  const failed = queriesByKey(run, (q) => q.outcome === 'error' || q.outcome === 'timeout');
  const all = queriesByKey(run);
  const { served } = run;
  let count = 0;
  let first: { key: string; instance: string; at: number } | undefined;
  for (let i = 0; i < served.n; i++) {
    if (served.ok[i] === 1) continue;
    const key = served.keys[served.key[i]!]!;
    const instance = `i${served.instance[i]}`;
    const start = served.start[i]!;
    const before = (failed.get(key) ?? []).some((q) => q.instance === instance && end(q) < start);
    if (!before) continue;
    const own = (all.get(key) ?? []).some((q) => q.instance === instance && q.t >= start && q.t <= start + served.latency[i]!);
    // A read that joined a query still running when it started shares its failure: not a replay.
    const joined = (all.get(key) ?? []).some((q) => q.instance === instance && q.t < start && end(q) >= start);
    if (own || joined) continue;
    count++;
    first ??= { key, instance, at: start };
  }
  return first === undefined ? { count } : { count, first };
}

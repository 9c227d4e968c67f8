/**
 * The report of a cache run, built section by section from what the run recorded. A new figure
 * is a new section here: the hot path (runner.ts) only records, it never computes a figure.
 */
import { clusterBoundaries, detectSawtooth, ratePerBin, summarize, type Boundary, type LatencySummary, type Sawtooth } from '../metrics.js';
import type { QueryRecord, SlowOrigin } from '../origin.js';
import type { Served } from './served.js';

export interface BoundaryReport extends Boundary {
  /** Cache misses for this key inside the boundary window, all instances. */
  misses: number;
  /** Requests for this key that started inside the window, and their latency. */
  requests: number;
  p99: number;
  max: number;
}

/** How old the values served were: answer time minus the value's builtAt. */
export interface Freshness {
  /** Requests answered with an OriginValue (the others carry no age). */
  measured: number;
  p99AgeMs: number;
  maxAgeMs: number;
  /** The request served the oldest value, or null when none was measured. */
  oldest: { at: number; key: string; instance: string; ageMs: number; version: number } | null;
}

export interface RunReport {
  scenario: string;
  seed: number;
  instances: number;
  ttlMs: number;
  durationMs: number;
  requests: number;
  failures: number;
  latency: LatencySummary;
  cache: { hits: number; misses: number; missRate: number };
  origin: {
    queries: number;
    failed: number;
    byInstance: number[];
    peakInService: number;
    /** Origin queries started in each second. */
    perSecond: number[];
  };
  boundaries: BoundaryReport[];
  sawtooth: Sawtooth;
  freshness: Freshness;
}

/** Everything a run recorded, with times relative to its start. */
export interface RunRecord {
  scenario: string;
  seed: number;
  ttlMs: number;
  durationMs: number;
  ids: readonly string[];
  served: Served;
  failures: number;
  /** Every cache miss in the fleet (in-process and shared-store reads), by key. */
  misses: ReadonlyArray<{ key: string; at: number }>;
  /** Hits and misses per source: each in-process cache, then the shared-store reads. */
  reads: ReadonlyArray<{ hits: number; misses: number }>;
  origin: SlowOrigin;
  /** The origin's log with times relative to the run's start. */
  log: readonly QueryRecord[];
}

export function buildReport(r: RunRecord): RunReport {
  const perSecond = ratePerBin(
    r.log.map((q) => q.t),
    r.durationMs,
  );
  return {
    scenario: r.scenario,
    seed: r.seed,
    instances: r.ids.length,
    ttlMs: r.ttlMs,
    durationMs: r.durationMs,
    requests: r.served.n,
    failures: r.failures,
    latency: summarize(r.served.latency.subarray(0, r.served.n)),
    cache: cacheSection(r),
    origin: {
      queries: r.log.length,
      failed: r.log.filter((q) => q.outcome === 'error' || q.outcome === 'timeout' || q.outcome === 'overloaded').length,
      byInstance: r.ids.map((id) => r.log.filter((q) => q.instance === id).length),
      peakInService: r.origin.peakInService,
      perSecond,
    },
    boundaries: boundariesSection(r),
    sawtooth: detectSawtooth(perSecond, r.ttlMs),
    freshness: freshnessSection(r),
  };
}

function cacheSection(r: RunRecord): RunReport['cache'] {
  let hits = 0;
  let misses = 0;
  for (const s of r.reads) {
    hits += s.hits;
    misses += s.misses;
  }
  return { hits, misses, missRate: hits + misses === 0 ? 0 : misses / (hits + misses) };
}

/** Origin queries clustered into TTL boundaries, each with the misses and requests inside its window. */
function boundariesSection(r: RunRecord): BoundaryReport[] {
  const { served } = r;
  const keyCount = served.keys.length;
  // Group requests by key once (a counting sort into one typed array: a million requests are
  // not worth a million array pushes), so attributing them to boundaries stays linear.
  const firstOfKey = new Uint32Array(keyCount + 1);
  for (let i = 0; i < served.n; i++) firstOfKey[served.key[i]! + 1]!++;
  for (let k = 0; k < keyCount; k++) firstOfKey[k + 1]! += firstOfKey[k]!;
  const byKey = new Uint32Array(served.n);
  const fill = firstOfKey.slice(0, keyCount);
  for (let i = 0; i < served.n; i++) byKey[fill[served.key[i]!]!++] = i;
  const missesByKey = new Map<string, number[]>();
  for (const m of r.misses) {
    let list = missesByKey.get(m.key);
    if (list === undefined) missesByKey.set(m.key, (list = []));
    list.push(m.at);
  }
  return clusterBoundaries(r.log, r.ttlMs / 2, r.ids).map((b): BoundaryReport => {
    const lat: number[] = [];
    // This key's requests are byKey[firstOfKey[k] .. firstOfKey[k + 1]).
    const k = served.idOf(b.key);
    const from = k === undefined ? 0 : firstOfKey[k]!;
    const to = k === undefined ? 0 : firstOfKey[k + 1]!;
    for (let j = from; j < to; j++) {
      const i = byKey[j]!;
      const s = served.start[i]!;
      if (s >= b.start && s <= b.end) lat.push(served.latency[i]!);
    }
    let m = 0;
    for (const at of missesByKey.get(b.key) ?? []) if (at >= b.start && at <= b.end) m++;
    const sum = summarize(lat);
    return { ...b, misses: m, requests: lat.length, p99: sum.p99, max: sum.max };
  });
}

function freshnessSection(r: RunRecord): Freshness {
  const { served } = r;
  let count = 0;
  let oldest = -1;
  for (let i = 0; i < served.n; i++) {
    const a = served.ageMs[i]!;
    if (Number.isNaN(a)) continue;
    count++;
    if (oldest < 0 || a > served.ageMs[oldest]!) oldest = i;
  }
  const o = oldest < 0 ? undefined : served.at(oldest);
  if (o === undefined) return { measured: 0, p99AgeMs: NaN, maxAgeMs: NaN, oldest: null };
  // Only the p99 is needed, not a sorted copy: a selection is linear where a sort of a million
  // ages cost a third of a big run.
  const ages = new Float64Array(count);
  for (let i = 0, j = 0; i < served.n; i++) if (!Number.isNaN(served.ageMs[i]!)) ages[j++] = served.ageMs[i]!;
  const rank = Math.min(count, Math.max(1, Math.ceil(0.99 * count)));
  return {
    measured: count,
    p99AgeMs: selectNth(ages, rank - 1),
    maxAgeMs: o.ageMs,
    oldest: { at: o.start + o.latency, key: o.key, instance: r.ids[o.instance] ?? `#${o.instance}`, ageMs: o.ageMs, version: o.version },
  };
}

/** The k-th smallest value (0-based) of `a`, reordering it in place (Hoare's selection). */
function selectNth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * Measurement: percentiles, per-boundary attribution of origin queries, the origin-rate time
 * series, and the detector for the sawtooth fingerprint (spikes of origin traffic, one per TTL).
 */
import type { QueryRecord } from './origin.js';

/** Nearest-rank percentile (p in 0..100) of `values`; NaN when empty. The definition the grader uses. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: ArrayLike<number>): LatencySummary {
  const n = values.length;
  if (n === 0) return { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const at = (p: number): number => sorted[Math.min(n, Math.max(1, Math.ceil((p / 100) * n))) - 1]!;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  return { count: n, p50: at(50), p95: at(95), p99: at(99), max: sorted[n - 1]!, mean: sum / n };
}

/** A cluster of origin queries for one key around one expiry: one TTL boundary. */
export interface Boundary {
  key: string;
  /** First query's arrival. */
  start: number;
  /** Last query's answer (or arrival, if it never answered). */
  end: number;
  queries: number;
  /** Queries per instance index. */
  byInstance: number[];
}

/**
 * Groups each key's origin queries into boundaries: a query more than `gapMs` after the previous
 * one for the same key opens a new boundary. With gap = TTL/2, every query caused by one expiry
 * (however many instances, waiters or retries) lands in one boundary.
 */
export function clusterBoundaries(log: readonly QueryRecord[], gapMs: number, instanceIds: readonly string[]): Boundary[] {
  const index = new Map(instanceIds.map((id, i) => [id, i]));
  const open = new Map<string, Boundary>();
  const out: Boundary[] = [];
  for (const q of log) {
    let b = open.get(q.key);
    if (b === undefined || q.t - b.end > gapMs) {
      b = { key: q.key, start: q.t, end: q.t, queries: 0, byInstance: instanceIds.map(() => 0) };
      open.set(q.key, b);
      out.push(b);
    }
    b.queries++;
    const i = index.get(q.instance);
    if (i !== undefined) b.byInstance[i]!++;
    const done = q.durationMs >= 0 ? q.t + q.durationMs : q.t;
    if (done > b.end) b.end = done;
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Origin queries started in each `binMs` bin from 0 to `untilMs`. */
export function ratePerBin(times: Iterable<number>, untilMs: number, binMs = 1000): number[] {
  const bins = new Array<number>(Math.max(1, Math.ceil(untilMs / binMs))).fill(0);
  for (const t of times) {
    const i = Math.floor(t / binMs);
    if (i >= 0 && i < bins.length) bins[i]!++;
  }
  return bins;
}

export interface Sawtooth {
  /** True when origin traffic comes in two or more spikes spaced about one TTL apart. */
  detected: boolean;
  spikes: number;
  /** Highest bin. */
  peak: number;
  /** Median bin: the traffic between spikes. */
  baseline: number;
  /** Median spacing between spikes, ms (NaN with fewer than two). */
  periodMs: number;
}

/**
 * The sawtooth fingerprint: bins that stand at least 2 queries and 3x above the median, repeating
 * at about the TTL (within 25%). One query per boundary is no sawtooth; a herd of any size is.
 */
export function detectSawtooth(series: readonly number[], ttlMs: number, binMs = 1000): Sawtooth {
  const sorted = [...series].sort((a, b) => a - b);
  const baseline = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const peak = sorted[sorted.length - 1] ?? 0;
  const spikeAt: number[] = [];
  // Last bin that qualified: a run of adjacent spike bins (a herd spanning seconds) counts once.
  let previous = -2;
  for (let i = 0; i < series.length; i++) {
    const v = series[i]!;
    if (v < baseline + 2 || v < 3 * baseline) continue;
    if (i - previous > 1) spikeAt.push(i);
    previous = i;
  }
  const gaps = spikeAt.slice(1).map((s, i) => (s - spikeAt[i]!) * binMs).sort((a, b) => a - b);
  const periodMs = gaps.length > 0 ? gaps[Math.floor(gaps.length / 2)]! : NaN;
  const periodic = gaps.length > 0 && Math.abs(periodMs - ttlMs) <= 0.25 * ttlMs + binMs;
  return { detected: spikeAt.length >= 2 && periodic, spikes: spikeAt.length, peak, baseline, periodMs };
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * One line of block characters, `width` wide (bins are max-pooled, so one-bin spikes survive).
 * Scaled to `peak`, by default the line's own max: pass a shared peak (see `sharedScale`) when lines
 * are read side by side, or a lone query per boundary draws the same spikes as a herd of 80.
 * Values above `peak` draw as a full bar.
 */
export function sparkline(series: readonly number[], width = 60, peak?: number): string {
  if (series.length === 0) return '';
  const per = Math.max(1, Math.ceil(series.length / width));
  const pooled: number[] = [];
  for (let i = 0; i < series.length; i += per) {
    let m = 0;
    for (let j = i; j < Math.min(series.length, i + per); j++) m = Math.max(m, series[j]!);
    pooled.push(m);
  }
  const top = peak ?? Math.max(...pooled);
  if (!(top > 0)) return BARS[0]!.repeat(pooled.length);
  const last = BARS.length - 1;
  return pooled.map((v) => (v <= 0 ? BARS[0]! : BARS[Math.min(last, Math.max(1, Math.ceil((v / top) * last)))]!)).join('');
}

/** The top of one scale for several series (their overall max, 0 when all are empty), for `sparkline`'s `peak`. */
export function sharedScale(seriesList: ReadonlyArray<readonly number[]>): number {
  let top = 0;
  for (const series of seriesList) for (const v of series) if (v > top) top = v;
  return top;
}

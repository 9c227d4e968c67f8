import { describe, expect, it } from 'vitest';
import { clusterBoundaries, detectSawtooth, percentile, ratePerBin, sharedScale, sparkline, summarize } from './metrics.js';
import type { QueryRecord } from './origin.js';

const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

function q(t: number, key: string, instance: string, durationMs = 100): QueryRecord {
  return { t, key, instance, durationMs, queuedMs: 0, outcome: durationMs < 0 ? 'running' : 'ok' };
}

describe('percentile (nearest rank)', () => {
  it('matches the nearest-rank definition on small arrays', () => {
    expect(percentile(range(1, 10), 50)).toBe(5);
    expect(percentile(range(1, 10), 90)).toBe(9);
    expect(percentile(range(1, 10), 91)).toBe(10);
    expect(percentile(range(1, 100), 99)).toBe(99);
    expect(percentile(range(1, 100), 100)).toBe(100);
    expect(percentile(range(1, 100), 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN for no values', () => {
    expect(percentile([], 50)).toBeNaN();
  });

  it('sorts numerically, not as strings, and leaves the input alone', () => {
    const values = [100, 9, 10, 2];
    expect(percentile(values, 50)).toBe(9);
    expect(percentile(values, 75)).toBe(10);
    expect(values).toEqual([100, 9, 10, 2]);
    expect(percentile(Float64Array.from([3, 1, 2]), 100)).toBe(3);
  });
});

describe('summarize', () => {
  it('gives count, p50, p95, p99, max and mean', () => {
    expect(summarize(range(1, 100).reverse())).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100, mean: 50.5 });
  });

  it('is NaN throughout (count 0) for no values', () => {
    const s = summarize([]);
    expect(s.count).toBe(0);
    for (const v of [s.p50, s.p95, s.p99, s.max, s.mean]) expect(v).toBeNaN();
  });
});

describe('clusterBoundaries', () => {
  const ids = ['i0', 'i1', 'i2'];

  it('opens a new boundary only when a query comes more than gapMs after the last answer', () => {
    const log = [
      q(0, 'k', 'i0', 100), // answered at 100
      q(50, 'k', 'i1', 100), // answered at 150
      q(650, 'k', 'i2', 100), // exactly 500 after 150: same boundary
      q(1251, 'k', 'i0', 10), // 501 after 750: new boundary
      q(1300, 'k', 'i0', -1), // still running: end = its arrival
    ];
    const bs = clusterBoundaries(log, 500, ids);
    expect(bs).toEqual([
      { key: 'k', start: 0, end: 750, queries: 3, byInstance: [1, 1, 1] },
      { key: 'k', start: 1251, end: 1300, queries: 2, byInstance: [2, 0, 0] },
    ]);
  });

  it('keeps keys apart, counts per instance, ignores unknown instances, and sorts by start', () => {
    const log = [q(10, 'b', 'i2'), q(0, 'a', 'i0'), q(20, 'a', 'i0'), q(30, 'b', 'i2'), q(40, 'a', 'ghost'), q(5000, 'a', 'i1')];
    const bs = clusterBoundaries(log, 1000, ids);
    expect(bs.map((b) => [b.key, b.start, b.queries, b.byInstance])).toEqual([
      ['a', 0, 3, [2, 0, 0]],
      ['b', 10, 2, [0, 0, 2]],
      ['a', 5000, 1, [0, 1, 0]],
    ]);
  });

  it('is empty for an empty log', () => {
    expect(clusterBoundaries([], 100, ids)).toEqual([]);
  });
});

describe('ratePerBin', () => {
  it('counts times per bin over ceil(until / bin) bins, dropping the out-of-range', () => {
    expect(ratePerBin([0, 999, 1000, 2500, 2999.9, 3000, -1], 3000)).toEqual([2, 1, 2]);
    expect(ratePerBin([0, 150, 260], 300, 100)).toEqual([1, 1, 1]);
    expect(ratePerBin([], 2500)).toEqual([0, 0, 0]);
    expect(ratePerBin([], 0)).toEqual([0]);
  });
});

describe('detectSawtooth', () => {
  const ttl = 60_000;
  const series = (spikes: Record<number, number>, length = 300, base = 0): number[] =>
    Array.from({ length }, (_, i) => spikes[i] ?? base);

  it('detects a spike of origin traffic every TTL', () => {
    const s = detectSawtooth(series({ 2: 40, 62: 35, 122: 50, 182: 41, 242: 38 }), ttl);
    expect(s).toEqual({ detected: true, spikes: 5, peak: 50, baseline: 0, periodMs: 60_000 });
  });

  it('counts a spike that straddles two bins once', () => {
    const s = detectSawtooth(series({ 2: 20, 3: 20, 62: 20, 63: 20, 122: 20, 123: 5 }), ttl);
    expect(s.spikes).toBe(3);
    expect(s.detected).toBe(true);
  });

  it('does not detect one query per boundary', () => {
    const s = detectSawtooth(series({ 2: 1, 62: 1, 122: 1, 182: 1, 242: 1 }), ttl);
    expect(s.detected).toBe(false);
    expect(s.spikes).toBe(0);
  });

  it('needs two spikes about one TTL apart', () => {
    expect(detectSawtooth(series({ 2: 40 }), ttl).detected).toBe(false);
    const wrongPeriod = detectSawtooth(series({ 2: 40, 12: 40, 22: 40, 32: 40 }), ttl);
    expect(wrongPeriod.spikes).toBe(4);
    expect(wrongPeriod.periodMs).toBe(10_000);
    expect(wrongPeriod.detected).toBe(false);
    // 25% + one bin of slack: 76 s apart still counts, 77 s does not.
    expect(detectSawtooth(series({ 2: 40, 78: 40 }), ttl).detected).toBe(true);
    expect(detectSawtooth(series({ 2: 40, 79: 40 }), ttl).detected).toBe(false);
  });

  it('measures spikes against the median traffic between them', () => {
    expect(detectSawtooth(series({ 2: 12, 62: 12, 122: 12 }, 300, 5), ttl)).toMatchObject({ detected: false, baseline: 5 });
    expect(detectSawtooth(series({ 2: 15, 62: 15, 122: 15 }, 300, 5), ttl)).toMatchObject({ detected: true, spikes: 3 });
  });

  it('copes with an empty series', () => {
    expect(detectSawtooth([], ttl)).toMatchObject({ detected: false, spikes: 0, peak: 0, baseline: 0 });
  });
});

describe('sparkline', () => {
  it('is at most `width` characters, max-pooling bins', () => {
    const s300 = range(0, 299);
    expect([...sparkline(s300, 60)]).toHaveLength(60);
    expect([...sparkline(range(0, 99), 60)]).toHaveLength(50); // 2 bins per character
    expect([...sparkline(range(1, 10), 60)]).toHaveLength(10);
    expect([...sparkline(s300)]).toHaveLength(60);
  });

  it('scales to the peak: zero is the lowest bar, any traffic at least the second, the peak the highest', () => {
    expect(sparkline([0, 1, 50, 100])).toBe('▁▂▅█');
    const pooled = sparkline([0, 0, 0, 9, 0, 0], 3); // pooled [0, 9, 0]
    expect(pooled).toBe('▁█▁');
    expect(sparkline([0, 0, 0])).toBe('▁▁▁');
    expect(sparkline([])).toBe('');
  });
});

describe('sparkline on a shared scale', () => {
  // One query per boundary against a herd of 80: scaled per line they draw the same spikes.
  const calm = [0, 1, 0, 0, 1, 0];
  const herd = [0, 80, 0, 0, 80, 0];

  it('without a peak, each line is scaled to its own max (as before)', () => {
    expect(sparkline(calm)).toBe(sparkline(herd));
    expect(sparkline(herd, 60, undefined)).toBe(sparkline(herd));
  });

  it('with a shared peak, the small line stays small and the big one reaches the top', () => {
    const peak = sharedScale([calm, herd]);
    expect(peak).toBe(80);
    expect(sparkline(herd, 60, peak)).toBe('▁█▁▁█▁');
    expect(sparkline(calm, 60, peak)).toBe('▁▂▁▁▂▁'); // any traffic is still visible
    expect(sparkline([0, 40, 80], 60, peak)).toBe('▁▅█');
  });

  it('draws values above the peak as a full bar, and a zero or negative peak as the lowest bar', () => {
    expect(sparkline([0, 5, 200], 60, 100)).toBe('▁▂█');
    expect(sparkline([0, 3, 0], 60, 0)).toBe('▁▁▁');
    expect(sparkline([], 60, 10)).toBe('');
  });

  it('max-pools before scaling, so a one-bin spike survives a narrow width', () => {
    expect(sparkline([0, 0, 0, 80, 0, 0], 3, 80)).toBe('▁█▁');
    expect(sparkline([0, 0, 0, 1, 0, 0], 3, 80)).toBe('▁▂▁');
  });

  it('sharedScale is the max over every series, 0 for none or only empty ones', () => {
    expect(sharedScale([[1, 2], [], [7, 3]])).toBe(7);
    expect(sharedScale([])).toBe(0);
    expect(sharedScale([[], []])).toBe(0);
    expect(sharedScale([[0, 0]])).toBe(0);
  });
});

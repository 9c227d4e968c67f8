/**
 * Module 01: plausible wrong naive caches, each rejected by the check that names its mistake,
 * and correct ones written differently, accepted.
 */
import { describe, expect, it } from 'vitest';
import stampede from '../modules/01-stampede/module.js';
import { failing, gradeFixture } from './support/fixtures.js';

const cache = (file: string) => ({ 'naive-cache.ts': file });

describe('module 01: each mistake fails the check that teaches it', () => {
  it('a cache that never stores its value: every read misses, one endless boundary', async () => {
    const c = await failing(stampede, cache('never-stores.ts'), 'herd reproduced');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/every one of \d+ reads missed.*deps\.cache\.set\(key, value, deps\.ttlMs\)/);
  });

  it('a TTL taken as seconds (ttlMs / 1000): values expire every few ms', async () => {
    const c = await failing(stampede, cache('ttl-seconds.ts'), 'herd reproduced');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/want 6: the origin took \d+ queries.*values expired about every \d+ ms, not every 10000 ms; is the TTL in ms/);
  });

  it('a TTL scaled x1000: values outlive the TTL', async () => {
    const c = await failing(stampede, cache('ttl-x1000.ts'), 'herd reproduced');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/got 1 TTL boundaries in 60 s, want 6.*values lived longer than deps\.ttlMs/);
  });

  it('counters at module level: each instance reports the whole fleet', async () => {
    const c = await failing(stampede, cache('module-counters.ts'), 'stats agree');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/i0's stats\(\) counted \d+ requests, want \d+.*module-level variables shared by every instance/);
  });

  it('the mean reported as p99', async () => {
    const c = await failing(stampede, cache('mean-not-p99.ts'), 'stats agree');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/stats\(\) says p99 [\d.]+ ms, want \d+ ms/);
  });

  it('hits counted as misses', async () => {
    const c = await failing(stampede, cache('counts-hits-as-misses.ts'), 'stats agree');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/counted \d+ misses, want \d+/);
  });

  it('a prediction one below the herd (rounded down) and one above', async () => {
    for (const file of ['predict-floor.ts', 'predict-plus-one.ts']) {
      const c = await failing(stampede, { 'predict-herd.ts': file }, 'prediction');
      expect(c.status, `${file}: ${c.message}`).toBe('fail');
      expect(c.message).toMatch(/you predicted [\d.]+ origin queries, the herd measured \d+: want a prediction that rounds up to \d+/);
    }
  });
});

describe('module 01: correct code written differently passes', () => {
  it('a class-based cache and Math.ceil in the prediction', async () => {
    const r = await gradeFixture(stampede, { 'naive-cache.ts': 'alt-class.ts', 'predict-herd.ts': 'predict-ceil.ts' }, { seeds: [1, 2] });
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  });
});

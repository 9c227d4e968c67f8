/**
 * Module 01: plausible wrong naive caches, each rejected by the check that names its mistake,
 * and correct ones written differently, accepted.
 */
import { describe, expect, it } from 'vitest';
import stampede from '../modules/01-stampede/module.js';
import { mutations } from './fixtures/01-stampede/mutations.js';
import { gradeFixture } from './support/fixtures.js';
import { gradeMutant } from './support/mutants.js';

const failing = async (name: string, check: string) => (await gradeMutant(stampede, mutations[name]!, [check])).checks[0]!;

describe('module 01: each mistake fails the check that teaches it', () => {
  it('a cache that never stores its value: every read misses, one endless boundary', async () => {
    const c = await failing('never-stores', 'herd reproduced');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/every one of \d+ reads missed.*deps\.cache\.set\(key, value, deps\.ttlMs\)/);
  });

  it('a TTL taken as seconds (ttlMs / 1000): values expire every few ms', async () => {
    const c = await failing('ttl-seconds', 'herd reproduced');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/want 6: the origin took \d+ queries.*values expired about every \d+ ms, not every 10000 ms; is the TTL in ms/);
  });

  it('a TTL scaled x1000: values outlive the TTL', async () => {
    const c = await failing('ttl-x1000', 'herd reproduced');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/got 1 TTL boundaries in 60 s, want 6.*values lived longer than deps\.ttlMs/);
  });

  it('counters at module level: each instance reports the whole fleet', async () => {
    const c = await failing('module-counters', 'stats agree');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/i0's stats\(\) counted \d+ requests, want \d+.*module-level variables shared by every instance/);
  });

  it('the mean reported as p99', async () => {
    const c = await failing('mean-not-p99', 'stats agree');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/stats\(\) says p99 [\d.]+ ms, want \d+ ms/);
  });

  it('hits counted as misses', async () => {
    const c = await failing('counts-hits-as-misses', 'stats agree');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/counted \d+ misses, want \d+/);
  });

  it('a prediction one below the herd (rounded down) and one above', async () => {
    for (const file of ['predict-floor', 'predict-plus-one']) {
      const c = await failing(file, 'prediction');
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

import { describe, expect, it } from 'vitest';
import { isHerdError } from '../errors.js';
import { runContention, type DelayFn } from './contention.js';

// The strategies of Brooker's post, with its parameters: base 5 ms, cap 2000 ms.
const base = 5;
const cap = 2000;
const strategies: Record<string, DelayFn> = {
  'no backoff': () => 0,
  exponential: (a) => Math.min(cap, base * 2 ** a),
  'equal jitter': (a, _prev, rng) => {
    const v = Math.min(cap, base * 2 ** a);
    return v / 2 + rng.between(0, v / 2);
  },
  'full jitter': (a, _prev, rng) => rng.between(0, Math.min(cap, base * 2 ** a)),
  decorrelated: (_a, prev, rng) => Math.min(cap, rng.between(base, Math.max(base, prev) * 3)),
};

describe('runContention (Brooker 2015)', () => {
  it('full jitter needs well under half the calls of exponential backoff without jitter', async () => {
    const results: Record<string, { calls: number; completionMs: number }> = {};
    for (const [name, delay] of Object.entries(strategies)) results[name] = await runContention({ clients: 100, seed: 1 }, delay);
    console.log(
      `contention, 100 clients (calls / completion ms): ${Object.entries(results)
        .map(([n, r]) => `${n} ${r.calls} / ${Math.round(r.completionMs)}`)
        .join('; ')}`,
    );
    expect(results['full jitter']!.calls).toBeLessThan(0.5 * results.exponential!.calls);
    expect(results['equal jitter']!.calls).toBeLessThan(0.5 * results.exponential!.calls);
    expect(results['full jitter']!.completionMs).toBeLessThan(results.exponential!.completionMs / 10);
    // Every client succeeds exactly once, so no run needs fewer calls than clients.
    for (const r of Object.values(results)) expect(r.calls).toBeGreaterThanOrEqual(100);
    expect(await runContention({ clients: 100, seed: 1 }, strategies['full jitter']!)).toEqual(results['full jitter']);
  });

  it('in exclusive mode clients in lockstep never succeed and end unfinished', async () => {
    const r = await runContention({ clients: 10, seed: 1, rule: 'exclusive', maxCallsPerClient: 20 }, strategies.exponential!);
    expect(r).toMatchObject({ calls: 200, unfinished: 10 });
    const j = await runContention({ clients: 10, seed: 1, rule: 'exclusive' }, strategies['full jitter']!);
    expect(j.unfinished).toBe(0);
  });

  it('refuses a delay that is not a finite number of ms >= 0', async () => {
    const e = await runContention({ clients: 2, seed: 1 }, () => NaN).catch((x: unknown) => x);
    expect(isHerdError(e, 'BAD_RESPONSE')).toBe(true);
    expect((e as Error).message).toContain('returned NaN after attempt 1');
  });
});

import { describe, expect, it } from 'vitest';
import { runResilience } from './run.js';
import type { ResilienceSpec } from './spec.js';
import type { AdmissionFactory } from './types.js';

const spec = (seed: number): ResilienceSpec => ({
  name: 'admission-context',
  seed,
  durationMs: 200,
  nodes: [{ workers: 2, serviceTime: { kind: 'fixed', ms: 5 }, count: 2 }],
  clients: { kind: 'open', rate: [{ fromMs: 0, toMs: 200, ratePerSec: 50 }] },
});

/** Each node's first draws from its rng, and the ids of the requests its hook saw. */
async function seen(seed: number) {
  const draws: Record<string, number[]> = {};
  const ids: number[] = [];
  const admission: AdmissionFactory = ({ id, rng }) => {
    draws[id] = [rng.next(), rng.next()];
    return (request) => {
      ids.push(request.id);
      return { admit: true };
    };
  };
  await runResilience(spec(seed), { admission });
  return { draws, ids };
}

describe('the admission factory context', () => {
  it('gives each node a seeded stream of its own: same seed, same numbers; other node or seed, others', async () => {
    const a = await seen(3);
    const b = await seen(3);
    const c = await seen(4);
    expect(a.draws).toEqual(b.draws);
    expect(a.draws['n0']).not.toEqual(a.draws['n1']);
    expect(a.draws['n0']).not.toEqual(c.draws['n0']);
  });

  it('shows the hook every request with an id unique in the run', async () => {
    const { ids } = await seen(3);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('forks the node streams without moving the others: the same arrivals with or without a hook that draws', async () => {
    const plain = await runResilience(spec(5));
    const drawing = await runResilience(spec(5), { admission: ({ rng }) => (rng.next(), () => ({ admit: true })) });
    expect(drawing.report.totals).toEqual(plain.report.totals);
    expect(drawing.report.latency).toEqual(plain.report.latency);
  });
});

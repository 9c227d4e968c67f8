import { describe, expect, it } from 'vitest';
import { isHerdError } from '../errors.js';
import { realDriver } from '../runner.js';
import { VirtualClock } from '../virtual-clock.js';
import { runResilience, type ResilienceParts } from './run.js';
import { checkResilienceSpec, type ResilienceSpec } from './spec.js';
import type { Policy, PolicyFactory } from './types.js';

const base: ResilienceSpec = {
  name: 'basic',
  seed: 11,
  durationMs: 5000,
  nodes: [{ workers: 4, serviceTime: { kind: 'exponential', meanMs: 20 }, count: 3, maxQueue: 50 }],
  balancer: { routing: 'least-outstanding', healthCheck: { intervalMs: 500, timeoutMs: 100, unhealthyThreshold: 2, healthyThreshold: 2 } },
  clients: [
    { name: 'open', kind: 'open', rate: [{ fromMs: 0, toMs: 5000, ratePerSec: 300 }], arrivals: 'poisson', timeoutMs: 200, priorities: { normal: 3, sheddable: 1 } },
    { name: 'closed', kind: 'closed', clients: 20, thinkMs: [50, 150], timeoutMs: 200 },
  ],
  faults: [
    { fromMs: 1000, toMs: 2000, target: 'n1', kind: 'down' },
    { fromMs: 2500, toMs: 3500, target: 'n2', kind: 'slow', factor: 5 },
  ],
};

const retryOnce: PolicyFactory =
  ({ clock, rng }) =>
  async (call) => {
    const r = await call();
    if (r.status === 'ok') return r;
    await clock.sleep(rng.int(10, 50));
    return call();
  };

describe('runResilience', () => {
  it('gives byte-identical reports for the same spec and seed, and different ones for another seed', async () => {
    const a = JSON.stringify((await runResilience(base, { policy: retryOnce })).report);
    const b = JSON.stringify((await runResilience(base, { policy: retryOnce })).report);
    expect(b).toBe(a);
    const c = JSON.stringify((await runResilience({ ...base, seed: 12 }, { policy: retryOnce })).report);
    expect(c).not.toBe(a);
    const r = JSON.parse(a);
    expect(r.faults.map((f: { label: string }) => f.label)).toEqual(['down n1', 'slow n2']);
    expect(r.series.offered).toHaveLength(50);
    expect(r.nodes.map((n: { id: string }) => n.id)).toEqual(['n0', 'n1', 'n2']);
  });

  it('accounts for every original and attempt', async () => {
    const { report: r, recorder, failure } = await runResilience(base, { policy: retryOnce });
    expect(failure).toBeUndefined();
    const t = r.totals;
    const outcomes = { ok: 0, rejected: 0, timeout: 0, failed: 0, error: 0 };
    for (let i = 0; i < recorder.originals; i++) outcomes[(['ok', 'rejected', 'timeout', 'failed', 'error'] as const)[recorder.oOutcome[i]!]!]++;
    expect(outcomes.ok).toBe(t.ok);
    expect(t.offered).toBe(Object.values(outcomes).reduce((s, x) => s + x, 0));
    expect(t.attempts).toBe(t.offered + t.retries);
    expect(r.series.attempts.reduce((s, x) => s + x, 0)).toBe(t.attempts);
    expect(r.series.offered.reduce((s, x) => s + x, 0)).toBe(t.offered);
    expect(t.goodput).toBeLessThanOrEqual(t.ok);
    expect(r.byPriority.normal.offered + r.byPriority.sheddable.offered).toBe(t.offered);
    expect(r.byPriority.sheddable.offered).toBeGreaterThan(200);
    // The down node failed fast and was ejected, then re-admitted.
    expect(t.failed).toBeGreaterThan(0);
    expect(r.balancer.events.filter((e) => e.node === 'n1').map((e) => e.event)).toEqual(['ejected', 'readmitted']);
    expect(r.balancer.events.find((e) => e.node === 'n1')!.faulted).toBe(true);
    expect(r.latency.count).toBe(t.ok);
  });

  it('sends open-loop arrivals exactly on a fixed schedule of segments (a step and a spike)', async () => {
    const spec: ResilienceSpec = {
      name: 'segments',
      seed: 1,
      durationMs: 3000,
      nodes: [{ workers: 1000, serviceTime: { kind: 'fixed', ms: 5 } }],
      clients: {
        kind: 'open',
        rate: [
          { fromMs: 0, toMs: 1000, ratePerSec: 100 },
          { fromMs: 1000, toMs: 2000, ratePerSec: 200 },
          { fromMs: 2500, toMs: 2600, ratePerSec: 5000 },
        ],
      },
    };
    const { report } = await runResilience(spec);
    expect(report.totals.offered).toBe(100 + 200 + 500);
    expect(report.series.offered.slice(0, 10)).toEqual(Array(10).fill(10));
    expect(report.series.offered.slice(10, 20)).toEqual(Array(10).fill(20));
    expect(report.series.offered.slice(20, 30)).toEqual([0, 0, 0, 0, 0, 500, 0, 0, 0, 0]);
    expect(report.latency.max).toBe(5);
  });

  it('runs closed-loop clients that think between requests', async () => {
    const spec: ResilienceSpec = {
      name: 'closed',
      seed: 1,
      durationMs: 10_000,
      nodes: [{ workers: 100, serviceTime: { kind: 'fixed', ms: 100 } }],
      clients: { kind: 'closed', clients: 10, thinkMs: [900, 900], startMs: [0, 0] },
    };
    const { report } = await runResilience(spec);
    // Each client: request at 0, 1000, ..., 9000.
    expect(report.totals.offered).toBe(100);
    expect(report.series.offered.filter((x) => x > 0)).toEqual(Array(10).fill(10));
  });

  it('times attempts out on the client, and lets a policy answer locally with ctx.reject', async () => {
    let calls = 0;
    const breaker: Policy = (call, ctx) => (++calls % 2 === 0 ? Promise.resolve(ctx.reject(100)) : call());
    const spec: ResilienceSpec = {
      name: 'timeouts',
      seed: 1,
      durationMs: 1000,
      nodes: [{ workers: 1, serviceTime: { kind: 'fixed', ms: 300 } }],
      clients: { kind: 'open', rate: [{ fromMs: 0, toMs: 1000, ratePerSec: 10 }], timeoutMs: 250 },
    };
    const { report, recorder } = await runResilience(spec, { policy: () => breaker });
    expect(report.totals.localAnswers).toBe(5);
    expect(report.totals.attempts).toBe(5);
    expect(report.totals.timeouts).toBe(5);
    expect(Array.from(recorder.aLatency.subarray(0, 5))).toEqual([250, 250, 250, 250, 250]);
  });

  it('records the first exception from a policy and goes on; a malformed answer is BAD_RESPONSE', async () => {
    let n = 0;
    const flaky: Policy = async (call) => {
      n++;
      if (n === 3) throw new Error('policy bug at request 3');
      if (n === 5) return { nope: true } as never;
      if (n === 7) throw new Error('second bug');
      return call();
    };
    const spec: ResilienceSpec = {
      name: 'errors',
      seed: 1,
      durationMs: 1000,
      nodes: [{ workers: 10, serviceTime: { kind: 'fixed', ms: 10 } }],
      clients: { kind: 'open', rate: [{ fromMs: 0, toMs: 1000, ratePerSec: 10 }] },
    };
    const { report, failure } = await runResilience(spec, { policy: () => flaky });
    expect(failure?.message).toBe('policy bug at request 3');
    expect(failure?.count).toBe(3);
    expect(report.totals.errors).toBe(3);
    expect(report.totals.ok).toBe(7);

    const sync = await runResilience(spec, {
      policy: () => () => {
        throw new Error('sync throw');
      },
    });
    expect(sync.failure?.count).toBe(10);
    const notPromise = await runResilience(spec, { policy: () => (() => 42) as never });
    expect(isHerdError(notPromise.failure?.error, 'BAD_RESPONSE')).toBe(true);
    expect(notPromise.failure?.message).toContain('instead of a promise');
  });

  it('records an exception from the admission hook or the balancer policy', async () => {
    const spec: ResilienceSpec = {
      name: 'hook-errors',
      seed: 1,
      durationMs: 500,
      nodes: [{ workers: 10, serviceTime: { kind: 'fixed', ms: 10 } }],
      clients: { kind: 'open', rate: [{ fromMs: 0, toMs: 500, ratePerSec: 10 }] },
    };
    const parts: ResilienceParts = {
      admission: () => () => {
        throw new Error('admission bug');
      },
    };
    const a = await runResilience(spec, parts);
    expect(a.failure?.message).toBe('admission bug');
    expect(a.report.totals.failed).toBe(5);
    const b = await runResilience(spec, {
      balancer: () => ({
        route: () => {
          throw new Error('route bug');
        },
        onHealthCheck: () => true,
      }),
    });
    expect(b.failure?.message).toBe('route bug');
    expect(b.report.totals.failed).toBe(5);
  });

  it('ends a policy that never settles with HANG, naming the request', async () => {
    const spec: ResilienceSpec = {
      name: 'hang',
      seed: 1,
      durationMs: 500,
      nodes: [{ workers: 1, serviceTime: { kind: 'fixed', ms: 10 } }],
      clients: { kind: 'open', rate: [{ fromMs: 0, toMs: 500, ratePerSec: 2 }] },
    };
    const error = await runResilience(spec, { policy: () => () => new Promise(() => {}) }).catch((e: unknown) => e);
    expect(isHerdError(error, 'HANG')).toBe(true);
    expect((error as Error).message).toContain('request #0');
    const stuck = await runResilience(
      { ...spec, graceMs: 1000 },
      {
        policy:
          ({ clock }) =>
          async () => {
            for (;;) await clock.sleep(100);
          },
      },
    ).catch((e: unknown) => e);
    expect(isHerdError(stuck, 'STUCK')).toBe(true);
  });

  it('flips a named dependency through a fault hook at the fault start and end', async () => {
    const flips: Array<[number, boolean, string]> = [];
    const spec: ResilienceSpec = {
      name: 'hook',
      seed: 1,
      durationMs: 1000,
      nodes: [{ workers: 1, serviceTime: { kind: 'fixed', ms: 10 } }],
      clients: { kind: 'open', rate: [{ fromMs: 0, toMs: 1000, ratePerSec: 10 }] },
      faults: [{ fromMs: 200, toMs: 700, target: 'origin', kind: 'custom' }],
    };
    const clock = new VirtualClock();
    await runResilience(spec, { targets: { origin: (active, fault) => flips.push([clock.now(), active, fault.target]) } }, { driver: clock });
    expect(flips).toEqual([
      [200, true, 'origin'],
      [700, false, 'origin'],
    ]);
  });

  it('runs the same parts in real time with realDriver', async () => {
    const spec: ResilienceSpec = {
      name: 'real',
      seed: 1,
      durationMs: 300,
      graceMs: 2000,
      nodes: [{ workers: 2, serviceTime: { kind: 'fixed', ms: 5 } }],
      clients: { kind: 'open', rate: [{ fromMs: 0, toMs: 300, ratePerSec: 50 }], timeoutMs: 100 },
    };
    const { report, failure } = await runResilience(spec, { policy: retryOnce }, { driver: realDriver });
    expect(failure).toBeUndefined();
    expect(report.totals.offered).toBe(15);
    expect(report.totals.ok).toBe(15);
    expect(report.latency.p50).toBeGreaterThanOrEqual(4);
  });
});

describe('checkResilienceSpec', () => {
  const bad = (patch: Partial<ResilienceSpec>, hooks: string[] = []): string => {
    try {
      checkResilienceSpec({ ...base, ...patch }, hooks);
    } catch (e) {
      expect(isHerdError(e, 'BAD_SCENARIO')).toBe(true);
      return (e as Error).message;
    }
    return 'accepted';
  };

  it('accepts the base spec', () => {
    expect(bad({})).toBe('accepted');
  });

  it('refuses impossible specs, naming the part and the fix', () => {
    expect(bad({ durationMs: 0 })).toMatch(/durationMs: must be > 0/);
    expect(bad({ nodes: [] })).toMatch(/at least one node/);
    expect(bad({ nodes: [{ workers: 0, serviceTime: { kind: 'fixed', ms: 1 } }] })).toMatch(/workers must be a whole number >= 1/);
    expect(bad({ nodes: [{ workers: 1, serviceTime: { kind: 'fixed', ms: 0 } }] })).toMatch(/serviceTime must be/);
    expect(bad({ nodes: [{ id: 'a', workers: 1, serviceTime: { kind: 'fixed', ms: 1 } }, { id: 'a', workers: 1, serviceTime: { kind: 'fixed', ms: 1 } }] })).toMatch(/unique/);
    expect(bad({ clients: { kind: 'closed', clients: 5, thinkMs: [0, 0] } })).toMatch(/never lets time move/);
    expect(bad({ clients: { kind: 'open', rate: [] } })).toMatch(/at least one segment/);
    expect(
      bad({
        clients: {
          kind: 'open',
          rate: [
            { fromMs: 0, toMs: 100, ratePerSec: 1 },
            { fromMs: 50, toMs: 200, ratePerSec: 1 },
          ],
        },
      }),
    ).toMatch(/overlap/);
    expect(bad({ clients: { kind: 'open', rate: [{ fromMs: 0, toMs: 100, ratePerSec: 0 }] } })).toMatch(/ratePerSec must be > 0/);
    expect(bad({ faults: [{ fromMs: 0, toMs: 100, target: 'db', kind: 'down' }] })).toMatch(/neither a node .* nor a hook/);
    expect(bad({ faults: [{ fromMs: 0, toMs: 100, target: 'db', kind: 'custom' }] }, ['db'])).toBe('accepted');
    expect(bad({ faults: [{ fromMs: 100, toMs: 100, target: 'n0', kind: 'down' }] })).toMatch(/fromMs < toMs/);
    expect(bad({ faults: [{ fromMs: 0, toMs: 100, target: 'n0', kind: 'slow' }] })).toMatch(/factor must be > 0/);
    expect(bad({ balancer: { healthCheck: { intervalMs: 0, timeoutMs: 1, unhealthyThreshold: 1, healthyThreshold: 1 } } })).toMatch(/intervalMs and timeoutMs/);
    expect(bad({ clients: { kind: 'open', rate: [{ fromMs: 0, toMs: 100, ratePerSec: 1 }] }, faults: [{ fromMs: 0, toMs: 100, target: 'n0', kind: 'down', mode: 'silent' }] })).toMatch(
      /never answers.*give it one/,
    );
  });

  it('is applied by runResilience before anything runs', async () => {
    await expect(runResilience({ ...base, durationMs: -1 })).rejects.toMatchObject({ code: 'BAD_SCENARIO' });
  });
});

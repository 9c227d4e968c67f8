import { describe, expect, it } from 'vitest';
import type { AppDeps, AppFactory } from './app.js';
import { isHerdError } from './errors.js';
import type { OriginValue } from './origin.js';
import { realDriver, runScenario, type FleetContext, type ScenarioSpec } from './runner.js';
import { countReads, createEmbeddedStore, type SharedStore } from './store/index.js';
import { VirtualClock } from './virtual-clock.js';

/** The textbook cache-aside read path, with no protection against a stampede. */
const naive: AppFactory = (deps) => ({
  async get(key) {
    const hit = deps.cache.get(key) as OriginValue | null | undefined;
    if (hit !== undefined) return hit;
    const value = await deps.origin.fetch(key);
    deps.cache.set(key, value, deps.ttlMs);
    return value;
  },
});

const hotSpec: ScenarioSpec = {
  name: 'naive-hot-key',
  seed: 1,
  durationMs: 180_000,
  instances: 2,
  ttlMs: 60_000,
  origin: { latencyMs: 200, jitterMs: 50 },
  keys: { kind: 'hot', key: 'home' },
  load: { kind: 'closed', clients: 200, thinkMs: [1000, 2000] },
};

describe('runScenario with a naive cache-aside app on a hot key', () => {
  it('attributes every miss to a boundary: origin queries per boundary == misses per boundary', async () => {
    const { report, failure, origin, fleet } = await runScenario(hotSpec, naive);
    expect(failure).toBeUndefined();
    expect(report.failures).toBe(0);
    // 200 clients, one request per ~1.5 s, for 180 s.
    expect(report.requests).toBeGreaterThan(22_000);
    expect(report.requests).toBeLessThan(26_000);
    expect(report.requests).toBe(report.cache.hits + report.cache.misses);

    // One boundary at the start and one per expiry (60 s and 120 s after the first build).
    expect(report.boundaries).toHaveLength(3);
    for (const b of report.boundaries) {
      expect(b.key).toBe('home');
      expect(b.queries).toBe(b.misses);
      expect(b.byInstance.reduce((a, c) => a + c, 0)).toBe(b.queries);
      expect(b.queries).toBeGreaterThan(10); // a herd, from both instances
      expect(b.byInstance.every((n) => n > 0)).toBe(true);
      expect(b.requests).toBeGreaterThanOrEqual(b.misses);
      expect(b.max).toBeGreaterThanOrEqual(200);
      expect(b.max).toBeLessThanOrEqual(250);
    }
    const [b0, b1, b2] = report.boundaries;
    expect(b1!.start - b0!.start).toBeGreaterThanOrEqual(60_000);
    expect(b1!.start - b0!.start).toBeLessThan(62_500);
    expect(b2!.start - b1!.start).toBeGreaterThanOrEqual(60_000);

    expect(report.origin.queries).toBe(report.cache.misses);
    expect(report.origin.queries).toBe(origin.queries);
    expect(report.origin.queries).toBe(report.boundaries.reduce((a, b) => a + b.queries, 0));
    expect(report.origin.byInstance.reduce((a, b) => a + b, 0)).toBe(report.origin.queries);
    expect(report.origin.perSecond).toHaveLength(180);
    expect(report.origin.perSecond.reduce((a, b) => a + b, 0)).toBe(report.origin.queries);
    expect(report.origin.failed).toBe(0);
    expect(report.sawtooth.detected).toBe(true);
    expect(report.sawtooth.spikes).toBe(3);

    expect(report.latency.p50).toBe(0);
    expect(report.latency.max).toBeGreaterThanOrEqual(200);
    expect(report.latency.max).toBeLessThanOrEqual(250);
    expect(fleet.map((f) => f.deps.instance)).toEqual(['i0', 'i1']);
    expect(fleet[0]!.cache).not.toBe(fleet[1]!.cache);
  });

  it('is deterministic: the same seed gives the identical report, another seed a different one', async () => {
    const a = JSON.stringify((await runScenario(hotSpec, naive)).report);
    const b = JSON.stringify((await runScenario(hotSpec, naive)).report);
    const c = JSON.stringify((await runScenario({ ...hotSpec, seed: 2 }, naive)).report);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it('gives each instance its own learner rng stream, derived from the seed', async () => {
    const draws = async (seed: number) => {
      const { fleet } = await runScenario({ ...hotSpec, seed, durationMs: 1_000 }, naive);
      return fleet.map((f) => f.deps.rng.next());
    };
    const a = await draws(1);
    expect(a[0]).not.toBe(a[1]);
    expect(await draws(1)).toEqual(a);
  });
});

describe('runScenario: extend, validation and drivers', () => {
  it('passes extended deps to the factory', async () => {
    const seen: string[] = [];
    interface Extra extends AppDeps {
      tag: string;
    }
    const spec: ScenarioSpec = { ...hotSpec, durationMs: 5_000 };
    const { fleet } = await runScenario<Extra>(
      spec,
      (deps) => {
        seen.push(deps.tag);
        return naive(deps);
      },
      { extend: (deps, fleetCtx) => ({ ...deps, tag: `${deps.instance}@${fleetCtx.spec.name}` }) },
    );
    expect(seen).toEqual(['i0@naive-hot-key', 'i1@naive-hot-key']);
    expect(fleet[1]!.deps.tag).toBe('i1@naive-hot-key');
  });

  it('counts reads of a shared store (countReads) into hits, misses and boundary misses', async () => {
    type WithStore = AppDeps & { store: SharedStore };
    const storeCache: AppFactory<WithStore> = (deps) => ({
      async get(key) {
        const raw = await deps.store.get(key);
        if (raw !== null) return JSON.parse(raw) as OriginValue | null;
        const value = await deps.origin.fetch(key);
        await deps.store.set(key, JSON.stringify(value), deps.ttlMs);
        return value;
      },
    });
    const stores = new WeakMap<FleetContext, SharedStore>();
    const { report } = await runScenario<WithStore>({ ...hotSpec, durationMs: 60_000 }, storeCache, {
      extend(deps, fleet) {
        let store = stores.get(fleet);
        if (store === undefined) stores.set(fleet, (store = countReads(createEmbeddedStore(fleet.clock), fleet)));
        return { ...deps, store };
      },
    });
    // Every miss is one origin query here (no coalescing), and nothing else reads a cache.
    expect(report.cache.misses).toBe(report.origin.queries);
    expect(report.cache.hits + report.cache.misses).toBe(report.requests);
    for (const b of report.boundaries) expect(b.misses, `boundary at ${b.start} ms`).toBe(b.queries);
  });

  it('rejects an impossible scenario with BAD_SCENARIO', async () => {
    const loads: Array<Partial<ScenarioSpec>> = [
      { load: { kind: 'burst', size: 5, everyMs: 0 } },
      { load: { kind: 'burst', size: 0, everyMs: 1000 } },
      { load: { kind: 'open', ratePerSec: 0 } },
      { load: { kind: 'open', ratePerSec: -5 } },
      { load: { kind: 'closed', clients: 0, thinkMs: [1, 2] } },
      { load: { kind: 'closed', clients: 5, thinkMs: [0, 0] } },
      { load: { kind: 'closed', clients: 5, thinkMs: [20, 10] } },
      { keys: { kind: 'zipf', count: 0 } },
      { keys: { kind: 'list', keys: [] } },
    ];
    for (const bad of [{ instances: 0 }, { durationMs: 0 }, { ttlMs: -1 }, ...loads]) {
      const err = await runScenario({ ...hotSpec, ...bad }, naive).catch((e: unknown) => e);
      expect(isHerdError(err, 'BAD_SCENARIO'), `got ${String(err)} for ${JSON.stringify(bad)}, want BAD_SCENARIO`).toBe(true);
      expect((err as Error).message).toMatch(/^scenario "naive-hot-key"/);
    }
  });

  it('runs on a driver passed in, measuring from its current time', async () => {
    const clock = new VirtualClock();
    await clock.run(clock.sleep(10_000));
    const spec: ScenarioSpec = { ...hotSpec, durationMs: 30_000 };
    const offset = await runScenario(spec, naive, { driver: clock });
    const fresh = await runScenario(spec, naive);
    expect(JSON.stringify(offset.report)).toBe(JSON.stringify(fresh.report));
    expect(clock.now()).toBeGreaterThanOrEqual(40_000);
  });

  it('runs in real time with realDriver (a short run)', async () => {
    const spec: ScenarioSpec = {
      name: 'real',
      seed: 1,
      durationMs: 500,
      ttlMs: 1_000,
      origin: { latencyMs: 5 },
      load: { kind: 'open', ratePerSec: 100 },
    };
    const { report } = await runScenario(spec, naive, { driver: realDriver });
    // Arrivals every 10 ms for 500 ms of real time: fewer if this machine is busy (a timer late
    // by most of the run on a loaded machine still leaves one), never more.
    expect(report.requests).toBeGreaterThanOrEqual(1);
    expect(report.requests).toBeLessThanOrEqual(51);
    expect(report.failures).toBe(0);
    expect(report.origin.queries).toBeGreaterThanOrEqual(1);
    expect(report.cache.hits + report.cache.misses).toBe(report.requests);
  });
});

describe('runScenario: misbehaving apps', () => {
  const small: ScenarioSpec = {
    name: 'small',
    seed: 3,
    durationMs: 10_000,
    instances: 2,
    ttlMs: 5_000,
    origin: { latencyMs: 100 },
    keys: { kind: 'list', keys: ['k0', 'k1', 'k2', 'k3'] },
    load: { kind: 'closed', clients: 10, thinkMs: [200, 400] },
    graceMs: 5_000,
  };

  it('records a get() that throws synchronously, without crashing the run', async () => {
    const { report, failure } = await runScenario(small, () => ({
      get() {
        throw new Error('sync boom');
      },
    }));
    expect(report.requests).toBeGreaterThan(200);
    expect(failure).toBeDefined();
    expect(failure!.count).toBe(report.requests);
    expect(failure!.message).toBe('sync boom');
    expect(failure!.error).toBeInstanceOf(Error);
    expect(report.failures).toBe(report.requests);
  });

  it('records a get() that rejects, counting only the failures', async () => {
    let n = 0;
    const { report, failure } = await runScenario(small, (deps) => {
      const inner = naive(deps);
      return {
        async get(key) {
          if (++n % 5 === 0) throw new TypeError(`cannot read ${key}`);
          return inner.get(key);
        },
      };
    });
    expect(failure!.count).toBe(Math.floor(n / 5));
    expect(failure!.message).toMatch(/^cannot read k[0-3]$/);
    expect(report.failures).toBe(failure!.count);
    expect(report.requests).toBe(n);
  });

  it('records origin errors surfacing from the app', async () => {
    const { report, failure } = await runScenario({ ...small, origin: { latencyMs: 100, errorRate: 1 } }, naive);
    expect(isHerdError(failure!.error, 'ORIGIN_ERROR')).toBe(true);
    expect(report.origin.failed).toBe(report.origin.queries);
    expect(report.failures).toBe(report.requests);
  });

  it('reports HANG naming the instance and key when a get never resolves', async () => {
    const err = await runScenario(small, (deps) => {
      const inner = naive(deps);
      return {
        get: (key) => (deps.instance === 'i1' && key === 'k3' ? new Promise<never>(() => {}) : inner.get(key)),
      };
    }).catch((e: unknown) => e);
    expect(isHerdError(err, 'HANG')).toBe(true);
    expect((err as Error).message).toMatch(/^i1's get\("k3"\) started at t=\d+\.\d{3}s/);
  });

  it('reports STUCK naming the instance and key when a get keeps waiting past the grace period', async () => {
    const err = await runScenario(small, (deps) => ({
      async get(key) {
        if (deps.instance === 'i0' && key === 'k2') for (;;) await deps.clock.sleep(250);
        return null;
      },
    })).catch((e: unknown) => e);
    expect(isHerdError(err, 'STUCK')).toBe(true);
    expect((err as Error).message).toMatch(/^i0's get\("k2"\) started at t=\d+\.\d{3}s/);
    expect((err as Error).message).toContain('t=15.0s');
  });
});

describe('origin faults on the timeline', () => {
  it('fails every origin query while the origin is down, and slows them while it is slow', async () => {
    const spec: ScenarioSpec = {
      name: 'faults',
      seed: 1,
      durationMs: 6_000,
      ttlMs: 500,
      origin: { latencyMs: 100 },
      keys: { kind: 'hot', key: 'k' },
      load: { kind: 'open', ratePerSec: 20, arrivals: 'fixed' },
      originFaults: [
        { kind: 'down', fromMs: 1_000, toMs: 2_000 },
        { kind: 'slow', fromMs: 3_000, toMs: 4_000, factor: 3 },
      ],
    };
    const { origin } = await runScenario(spec, naive);
    const inDown = origin.log.filter((q) => q.t >= 1_000 && q.t < 2_000);
    expect(inDown.length).toBeGreaterThan(0);
    expect(inDown.every((q) => q.outcome === 'error')).toBe(true);
    expect(origin.log.filter((q) => q.t < 1_000 || q.t >= 2_000).every((q) => q.outcome === 'ok')).toBe(true);
    const slow = origin.log.filter((q) => q.t >= 3_000 && q.t < 4_000);
    expect(slow.length).toBeGreaterThan(0);
    expect(slow.every((q) => q.durationMs === 300)).toBe(true);
    expect(origin.log.filter((q) => q.t >= 4_000).every((q) => q.durationMs === 100)).toBe(true);
  });

  it('rejects a fault window that ends before it starts', async () => {
    const bad = { ...hotSpec, originFaults: [{ kind: 'down' as const, fromMs: 5, toMs: 5 }] };
    await expect(runScenario(bad, naive)).rejects.toThrow(/an origin fault needs 0 <= fromMs < toMs/);
  });
});

describe('freshness and the served log', () => {
  it('records the age of every value served, and a get that returns no promise is BAD_APP', async () => {
    const { report, served } = await runScenario({ ...hotSpec, durationMs: 30_000 }, naive);
    expect(served.n).toBe(report.requests);
    expect(report.freshness.measured).toBe(report.requests);
    expect(report.freshness.maxAgeMs).toBeLessThanOrEqual(hotSpec.ttlMs);
    expect(served.at(0).version).toBeGreaterThan(0);
    const sync: AppFactory = () => ({ get: ((key: string) => ({ key })) as never });
    const { failure } = await runScenario({ ...hotSpec, durationMs: 2_000 }, sync);
    expect(isHerdError(failure?.error, 'BAD_APP')).toBe(true);
    expect(failure?.message).toMatch(/get\("home"\) returned an object, not a promise/);
  });
});

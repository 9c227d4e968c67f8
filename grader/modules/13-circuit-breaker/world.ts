/**
 * Module 13's world: one app process reading through a cache tier (the store) to a database (the
 * origin). The resilience runner drives the users (open-loop, Poisson) and the fault timeline;
 * every request goes through a read path, and the grader owns the store and the database around
 * it, so everything the checks count (store calls and what was in flight, database queries and
 * its backlog, what each request got and how long it took) is seen from outside the learner's code.
 */
import {
  Bins,
  HerdError,
  VirtualClock,
  createRng,
  createService,
  runResilience,
  type ResilienceReport,
  type ResilienceSpec,
  type Request,
  type Response,
} from '@herd/harness/engine';

/** What the store, the database and the stale copy hand back; `source` says who made it. */
export interface Value {
  key: string;
  version: number;
  source: 'store' | 'origin' | 'stale';
}
export type StoreReply = { status: 'ok'; value: Value | undefined } | { status: 'timeout' | 'failed' };

export interface Breaker {
  call<T>(fn: () => Promise<T>): Promise<T>;
  state(): 'closed' | 'open' | 'half-open';
}
export interface BreakerOptions {
  clock: { now(): number; sleep(ms: number): Promise<void> };
  windowSize: number;
  windowMs: number;
  minCalls: number;
  failureRate: number;
  openMs: number;
  halfOpenProbes: number;
}
export interface ReadDeps {
  clock: BreakerOptions['clock'];
  breaker: Breaker;
  store: { get(key: string): Promise<StoreReply> };
  origin: { fetch(key: string): Promise<Value> };
  stale: { get(key: string): Value | undefined };
  originLimit: number;
}
export type Read = (key: string) => Promise<Value>;
/** How a run makes the process's read path from its deps. */
export type ReadMaker = (deps: ReadDeps) => Read;

/** The breaker settings every scenario check hands createBreaker. */
export const BREAKER = { windowSize: 50, windowMs: 1000, minCalls: 20, failureRate: 0.5, openMs: 2000, halfOpenProbes: 3 } as const;

export const WORLD = {
  ratePerSec: 500,
  keys: 1000,
  /** Keys 0..staleKeys-1 have an older copy in the process's memory. */
  staleKeys: 600,
  /** Store misses in normal operation; each is one database query. */
  missRate: 0.05,
  store: { minMs: 1, maxMs: 3, timeoutMs: 100 },
  /** The database: 5 workers of about 20 ms each (250 queries/s), a bounded queue, 1 s client timeout. */
  origin: { workers: 5, minMs: 15, maxMs: 25, maxQueue: 100, timeoutMs: 1000 },
  /** Queries this process may have at the database at once when the store is gone. */
  originLimit: 3,
} as const;

export const ORIGIN_CAPACITY_PER_SEC = Math.round((WORLD.origin.workers * 1000) / ((WORLD.origin.minMs + WORLD.origin.maxMs) / 2));

/** The headline outage: the store dies from 5 s to 25 s; 8 s to watch the recovery. */
export const OUTAGE = { fromMs: 5000, toMs: 25_000, durationMs: 33_000 } as const;

/** How the store is down: it stops answering (each call waits out the client's timeout), or it refuses at once ('failed' in 1-3 ms). */
export type OutageKind = 'hang' | 'refuse';

export interface WorldSpec {
  name: string;
  seed: number;
  durationMs: number;
  outages: ReadonlyArray<{ fromMs: number; toMs: number; kind?: OutageKind }>;
  /** Spans in which the database rejects every query at once (its own outage, while the fallback uses it). */
  databaseOutages?: ReadonlyArray<{ fromMs: number; toMs: number }>;
  /** Store calls that fail fast at random (sporadic errors), 0..1. */
  errorRate?: number;
  ratePerSec?: number;
}

export const SOURCES = ['store', 'origin', 'stale', 'failed'] as const;
export type Source = (typeof SOURCES)[number];

export interface WorldRun {
  spec: WorldSpec;
  report: ResilienceReport;
  binMs: number;
  /** Per 100 ms bin: store calls started, the most store calls in flight, database queries started, the database's peak backlog. */
  storeCalls: number[];
  /** Per 100 ms bin: store calls made while no function given to breaker.call was running (from outside the breaker). */
  storeOutside: number[];
  storeInFlightMax: number[];
  originCalls: number[];
  originHeldMax: number[];
  /** Requests answered per bin by where the answer came from, and failures answered within 10 ms. */
  bySource: Record<Source, number[]>;
  fastFailures: number[];
  /** Per request: arrival, latency, key had a stale copy, where the answer came from. */
  requests: { arrival: Float64Array; latency: Float64Array; stale: Uint8Array; source: Uint8Array; n: number };
  storeTimeouts: number;
  /** The first exception from the read path that was not a rejection the check expects, if any. */
  failure?: { message: string; count: number };
}

const BIN = 100;

export async function runWorld(make: ReadMaker, spec: WorldSpec, breakerFor: (clock: VirtualClock) => Breaker): Promise<WorldRun> {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const rng = createRng(spec.seed);
  const storeRng = rng.fork('store');
  const keyRng = rng.fork('keys');
  const rate = spec.ratePerSec ?? WORLD.ratePerSec;
  const bins = (): Bins => new Bins(t0, BIN);
  const storeCalls = bins();
  const storeOutside = bins();
  /** Functions the learner's breaker has started (through breaker.call) and that have not settled. */
  let inBreaker = 0;
  const originCalls = bins();
  const fastFailures = bins();
  const bySource = Object.fromEntries(SOURCES.map((s) => [s, bins()])) as Record<Source, Bins>;
  const storeInFlightMax: number[] = [];
  const originHeldMax: number[] = [];
  const peak = (b: number[], t: number, v: number): void => {
    const i = Math.floor((t - t0) / BIN);
    if (!(b[i]! >= v)) b[i] = v;
  };

  let storeDown: OutageKind | null = null;
  let databaseDown = false;
  let storeInFlight = 0;
  let storeTimeouts = 0;
  const storeValue = (key: string): Value => ({ key, version: 2, source: 'store' });
  const store: ReadDeps['store'] = {
    get(key) {
      const t = clock.now();
      storeCalls.add(t);
      if (inBreaker === 0) storeOutside.add(t);
      storeInFlight++;
      peak(storeInFlightMax, t, storeInFlight);
      return new Promise<StoreReply>((resolve) => {
        const answer = (reply: StoreReply): void => {
          storeInFlight--;
          resolve(reply);
        };
        if (storeDown === 'hang') {
          // A dead cache node does not answer: the client's command timeout is what ends the wait.
          clock.schedule(WORLD.store.timeoutMs, () => {
            storeTimeouts++;
            answer({ status: 'timeout' });
          });
          return;
        }
        const ms = storeRng.between(WORLD.store.minMs, WORLD.store.maxMs);
        // A refusing node (connection refused, an error reply) answers 'failed' at once.
        const fails = storeDown === 'refuse' || ((spec.errorRate ?? 0) > 0 && storeRng.next() < spec.errorRate!);
        const miss = storeRng.next() < WORLD.missRate;
        clock.schedule(ms, () => answer(fails ? { status: 'failed' } : { status: 'ok', value: miss ? undefined : storeValue(key) }));
      });
    },
  };

  const db = createService(
    'database',
    { workers: WORLD.origin.workers, serviceTime: { kind: 'uniform', minMs: WORLD.origin.minMs, maxMs: WORLD.origin.maxMs }, maxQueue: WORLD.origin.maxQueue },
    { scheduler: clock, rng: rng.fork('database') },
  );
  let dbIds = 0;
  const origin: ReadDeps['origin'] = {
    fetch(key) {
      const t = clock.now();
      originCalls.add(t);
      return new Promise<Value>((resolve, reject) => {
        let settled = false;
        const req: Request = { id: dbIds++, originalId: -1, attempt: 1, priority: 'normal', deadline: t + WORLD.origin.timeoutMs, kind: 'work', sentAt: t };
        if (databaseDown) {
          // The database's own outage: every query is rejected at once (no worker, no queue).
          clock.schedule(1, () => reject(new HerdError('ORIGIN_OVERLOADED', 'the database is down')));
          return;
        }
        clock.schedule(WORLD.origin.timeoutMs, () => {
          if (settled) return;
          settled = true;
          reject(new HerdError('ORIGIN_TIMEOUT', `the database did not answer within ${WORLD.origin.timeoutMs} ms`));
        });
        db.submit(req, {
          onReply(status) {
            if (settled) return;
            settled = true;
            if (status === 'ok') resolve({ key, version: 2, source: 'origin' });
            else reject(new HerdError('ORIGIN_OVERLOADED', "the database's queue is full"));
          },
        });
        peak(originHeldMax, t, db.view.inFlight + db.view.queueLength);
      });
    },
  };
  const staleCopy = (key: string): Value | undefined => (Number(key.slice(1)) < WORLD.staleKeys ? { key, version: 1, source: 'stale' } : undefined);
  const stale: ReadDeps['stale'] = { get: staleCopy };

  // Made under the guard: a breaker library's constructor (its timers, its clock) runs on this clock.
  const read = clock.within(() => make({ clock, breaker: watched(breakerFor(clock), () => inBreaker++, () => inBreaker--), store, origin, stale, originLimit: WORLD.originLimit }));

  const cap = Math.ceil((spec.durationMs / 1000) * rate * 1.2) + 1000;
  const requests = { arrival: new Float64Array(cap), latency: new Float64Array(cap), stale: new Uint8Array(cap), source: new Uint8Array(cap), n: 0 };
  let failure: WorldRun['failure'];
  const ok = (latencyMs: number): Response => ({ status: 'ok', latencyMs, attempt: 0, node: null, local: true });

  const resilience: ResilienceSpec = {
    name: spec.name,
    seed: spec.seed,
    durationMs: spec.durationMs,
    graceMs: 10_000,
    // The users' requests are answered by the read path itself; this node is the app's front door, never called.
    nodes: [{ id: 'app', workers: 1, serviceTime: { kind: 'fixed', ms: 1 } }],
    clients: { kind: 'open', rate: [{ fromMs: 0, toMs: spec.durationMs, ratePerSec: rate }], arrivals: 'poisson' },
    faults: [
      ...spec.outages.map((o) => ({ fromMs: o.fromMs, toMs: o.toMs, target: `store-${o.kind ?? 'hang'}`, kind: 'custom' as const, label: o.kind === 'refuse' ? 'store refusing' : 'store down' })),
      ...(spec.databaseOutages ?? []).map((o) => ({ fromMs: o.fromMs, toMs: o.toMs, target: 'database', kind: 'custom' as const, label: 'database down' })),
    ],
  };
  const result = await runResilience(
    resilience,
    {
      targets: {
        'store-hang': (active) => (storeDown = active ? 'hang' : null),
        'store-refuse': (active) => (storeDown = active ? 'refuse' : null),
        database: (active) => (databaseDown = active),
      },
      policy: () => async (_call, ctx) => {
        const i = ctx.request.id;
        const start = clock.now();
        const k = keyRng.int(0, WORLD.keys - 1);
        const key = `k${k}`;
        if (i < cap) {
          requests.n = Math.max(requests.n, i + 1);
          requests.arrival[i] = start - t0;
          requests.stale[i] = k < WORLD.staleKeys ? 1 : 0;
        }
        const settle = (source: Source): number => {
          const latency = clock.now() - start;
          if (i < cap) {
            requests.latency[i] = latency;
            requests.source[i] = SOURCES.indexOf(source);
          }
          bySource[source].add(clock.now());
          if (source === 'failed' && latency < 10) fastFailures.add(clock.now());
          return latency;
        };
        let value: Value;
        try {
          value = await read(key);
        } catch (error) {
          // A rejection is the read path's way to fail or shed a request; anything else it throws is its own.
          if (!(error instanceof Error)) {
            failure ??= { message: `the read path rejected with ${String(error)}, want an Error`, count: 0 };
            failure.count++;
          }
          settle('failed');
          return ctx.reject();
        }
        const source = (value as Partial<Value> | undefined)?.source;
        if (source !== 'store' && source !== 'origin' && source !== 'stale') {
          failure ??= { message: `read("${key}") resolved ${JSON.stringify(value)?.slice(0, 60)}, want the Value the store, the database or deps.stale gave`, count: 0 };
          failure.count++;
          settle('failed');
          return ctx.reject();
        }
        return ok(settle(source));
      },
    },
    { driver: clock },
  );
  if (result.failure) failure ??= { message: result.failure.message, count: result.failure.count };
  const n = Math.ceil(spec.durationMs / BIN);
  return {
    spec,
    report: result.report,
    binMs: BIN,
    storeCalls: storeCalls.values(n),
    storeOutside: storeOutside.values(n),
    storeInFlightMax: Array.from({ length: n }, (_, i) => storeInFlightMax[i] ?? 0),
    originCalls: originCalls.values(n),
    originHeldMax: Array.from({ length: n }, (_, i) => originHeldMax[i] ?? 0),
    bySource: Object.fromEntries(SOURCES.map((s) => [s, bySource[s].values(n)])) as Record<Source, number[]>,
    fastFailures: fastFailures.values(n),
    requests,
    storeTimeouts,
    failure,
  };
}

/**
 * The learner's breaker as the read path gets it, unchanged but watched: while a function given
 * to call() runs (from the moment the breaker starts it until it settles), a store call comes
 * from inside the breaker. The breaker awaits the very promise its function returned.
 */
function watched(breaker: Breaker, enter: () => void, leave: () => void): Breaker {
  const call = <T>(fn: () => Promise<T>): Promise<T> =>
    breaker.call(() => {
      enter();
      let p: Promise<T>;
      try {
        p = fn();
      } catch (error) {
        leave();
        throw error;
      }
      Promise.resolve(p).then(leave, leave);
      return p;
    });
  return new Proxy(breaker, {
    get(target, prop) {
      if (prop === 'call') return call;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * The scenario runner: a learner's app factory plus a scenario spec in, a report out. It builds
 * the fleet (one origin, N instances each with its own cache), drives the load under the chosen
 * clock, and measures everything from the harness's side.
 */
import type { AppDeps, AppFactory, ReadThrough } from './app.js';
import { realClock, type Clock } from './clock.js';
import { HerdError } from './errors.js';
import { realSetTimeout } from './guard.js';
import { checkLoad, driveLoad, keyPicker, type KeySpec, type LoadSpec, type Scheduler } from './load.js';
import { createMemoryCache, type MemoryCache } from './memory-cache.js';
import {
  clusterBoundaries,
  detectSawtooth,
  ratePerBin,
  summarize,
  type Boundary,
  type LatencySummary,
  type Sawtooth,
} from './metrics.js';
import { SlowOrigin, type OriginOptions } from './origin.js';
import { createRng, type Rng } from './rng.js';
import { VirtualClock, type VirtualRunOptions } from './virtual-clock.js';

export interface ScenarioSpec {
  name: string;
  seed: number;
  /** Load runs from 0 until this time, ms. */
  durationMs: number;
  /** App instances sharing the origin. Default 1. */
  instances?: number;
  ttlMs: number;
  origin: OriginOptions;
  cache?: { maxEntries?: number };
  keys?: KeySpec;
  load: LoadSpec;
  /** Time after durationMs that pending calls may take before the run is STUCK. Default 30 s. */
  graceMs?: number;
}

/** Drives a run's clock: the virtual clock, real time, or another driver (the benchmark's). */
export interface ClockDriver extends Scheduler {
  readonly clock: Clock;
  run<T>(main: Promise<T>, options: VirtualRunOptions): Promise<T>;
}

/** Real time: the same learner code, for runs against a real Redis. */
export const realDriver: ClockDriver = {
  clock: realClock,
  now: realClock.now,
  schedule: (ms, fn) => void realSetTimeout(fn, Math.max(0, ms)),
  run<T>(main: Promise<T>, options: VirtualRunOptions): Promise<T> {
    if (options.deadline === undefined) return main;
    const wait = Math.max(0, options.deadline - realClock.now());
    return new Promise<T>((resolve, reject) => {
      const timer = realSetTimeout(() => {
        const what = options.describePending?.() ?? 'the run';
        reject(new HerdError('STUCK', `${what} was still pending ${Math.round(wait)} ms after the load stopped (a wait or retry loop that never gives up?)`));
      }, wait);
      main.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  },
};

export interface RunOptions<D extends AppDeps> {
  /** Default: a fresh virtual clock. */
  driver?: ClockDriver;
  /** Adds module-specific dependencies (a shared store, a single-flight factory) to each instance's deps. */
  extend?: (deps: AppDeps, fleet: FleetContext) => D;
}

/** What is shared by the whole fleet in one run. */
export interface FleetContext {
  clock: Clock;
  rng: Rng;
  origin: SlowOrigin;
  spec: ScenarioSpec;
  /**
   * Counts a cache read the in-process caches do not see (a GET on the shared store, see
   * countReads) into the report's hits, misses and per-boundary misses.
   */
  recordRead(key: string, hit: boolean): void;
}

export interface FailureSample {
  count: number;
  /** First failure's message. */
  message: string;
  error: unknown;
}

export interface BoundaryReport extends Boundary {
  /** Cache misses for this key inside the boundary window, per instance and in total. */
  misses: number;
  /** Requests for this key that started inside the window, and their latency. */
  requests: number;
  p99: number;
  max: number;
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
}

export interface RunResult<D extends AppDeps = AppDeps> {
  report: RunReport;
  /** The first request failure, if any (the grader turns it into one line). */
  failure?: FailureSample;
  origin: SlowOrigin;
  fleet: Array<{ deps: D; app: ReadThrough; cache: MemoryCache }>;
}

/** Per-request measurements, struct-of-arrays so a million requests stay cheap. */
class Recorder {
  private cap = 1 << 16;
  n = 0;
  start = new Float64Array(this.cap);
  latency = new Float64Array(this.cap);
  key = new Uint32Array(this.cap);

  add(start: number, latency: number, key: number): void {
    if (this.n === this.cap) {
      this.cap *= 2;
      const grow = <A extends Float64Array | Uint32Array>(a: A, make: new (n: number) => A): A => {
        const b = new make(this.cap);
        b.set(a);
        return b;
      };
      this.start = grow(this.start, Float64Array);
      this.latency = grow(this.latency, Float64Array);
      this.key = grow(this.key, Uint32Array);
    }
    this.start[this.n] = start;
    this.latency[this.n] = latency;
    this.key[this.n] = key;
    this.n++;
  }
}

const noop = (): void => {};

export async function runScenario<D extends AppDeps = AppDeps>(
  spec: ScenarioSpec,
  factory: AppFactory<D>,
  options: RunOptions<D> = {},
): Promise<RunResult<D>> {
  const driver = options.driver ?? new VirtualClock();
  const { clock } = driver;
  const t0 = clock.now();
  const rng = createRng(spec.seed);
  const instances = spec.instances ?? 1;
  if (!(instances >= 1) || !(spec.durationMs > 0) || !(spec.ttlMs > 0)) {
    throw new HerdError('BAD_SCENARIO', `scenario "${spec.name}" needs instances >= 1, durationMs > 0 and ttlMs > 0`, { spec: spec.name });
  }
  checkLoad(spec.name, spec.load, spec.keys);
  const origin = new SlowOrigin(clock, rng.fork('origin'), spec.origin);
  // Misses of every cache in the fleet, with their time, for attributing them to boundaries.
  const misses: Array<{ key: string; at: number }> = [];
  // Reads of caches the harness does not own (a shared store), reported through recordRead.
  const sharedReads = { hits: 0, misses: 0 };
  const fleetContext: FleetContext = {
    clock,
    rng,
    origin,
    spec,
    recordRead(key, hit) {
      if (hit) sharedReads.hits++;
      else {
        sharedReads.misses++;
        misses.push({ key, at: clock.now() - t0 });
      }
    },
  };
  const ids = Array.from({ length: instances }, (_, i) => `i${i}`);

  const keyIds = new Map<string, number>();
  let lastKey = '';
  let lastId = -1;
  const keyId = (key: string): number => {
    if (key === lastKey) return lastId;
    let id = keyIds.get(key);
    if (id === undefined) {
      id = keyIds.size;
      keyIds.set(key, id);
    }
    lastKey = key;
    lastId = id;
    return id;
  };
  const fleet = ids.map((id, i) => {
    const cache = createMemoryCache(clock, {
      maxEntries: spec.cache?.maxEntries,
      onMiss: (key, at) => misses.push({ key, at: at - t0 }),
    });
    const base: AppDeps = {
      clock,
      rng: rng.fork(`learner:${i}`),
      origin: origin.forInstance(id),
      cache,
      ttlMs: spec.ttlMs,
      instance: id,
    };
    const deps = options.extend ? options.extend(base, fleetContext) : (base as D);
    const app = factory(deps);
    return { deps, app, cache };
  });

  const recorder = new Recorder();
  let failure: FailureSample | undefined;
  const fail = (error: unknown): void => {
    failure ??= { count: 0, message: error instanceof Error ? error.message : String(error), error };
    failure.count++;
  };

  // In-flight calls live in pooled records whose handlers are made once per record, not once per
  // request: at a million requests the per-request closures were a third of the run.
  interface Call {
    /** Start time; NaN while the record is free. */
    started: number;
    key: string;
    instance: number;
    done: () => void;
    ok: () => void;
    err: (error: unknown) => void;
  }
  const calls: Call[] = [];
  const free: Call[] = [];
  const finish = (call: Call): void => {
    recorder.add(call.started - t0, clock.now() - call.started, keyId(call.key));
    call.started = NaN;
    const done = call.done;
    free.push(call);
    done();
  };
  const newCall = (): Call => {
    const call: Call = { started: NaN, key: '', instance: 0, done: noop, ok: noop, err: noop };
    call.ok = () => finish(call);
    call.err = (error) => {
      fail(error);
      finish(call);
    };
    calls.push(call);
    return call;
  };

  const send = (instance: number, key: string, done: () => void): void => {
    const call = free.pop() ?? newCall();
    call.started = clock.now();
    call.key = key;
    call.instance = instance;
    call.done = done;
    let answer: unknown;
    try {
      answer = fleet[instance]!.app.get(key);
    } catch (error) {
      // A get() that throws instead of returning a rejected promise.
      answer = Promise.reject(error);
    }
    (answer instanceof Promise ? answer : Promise.resolve(answer)).then(call.ok, call.err);
  };

  const describePending = (): string | undefined => {
    let oldest: Call | undefined;
    let count = 0;
    for (const call of calls) {
      if (Number.isNaN(call.started)) continue;
      count++;
      if (oldest === undefined || call.started < oldest.started) oldest = call;
    }
    if (oldest === undefined) return undefined;
    const more = count > 1 ? ` (and ${count - 1} more)` : '';
    const at = ((oldest.started - t0) / 1000).toFixed(3);
    return `${ids[oldest.instance]}'s get("${oldest.key}") started at t=${at}s${more}`;
  };

  const main = driveLoad(spec.load, keyPicker(spec.keys), {
    scheduler: driver,
    rng: rng.fork('load'),
    instances,
    endAt: t0 + spec.durationMs,
    send,
  });
  await driver.run(main, { deadline: t0 + spec.durationMs + (spec.graceMs ?? 30_000), describePending });

  const report = buildReport(spec, instances, ids, recorder, keyIds, misses, origin, [...fleet.map((f) => f.cache.stats()), sharedReads], t0);
  report.failures = failure?.count ?? 0;
  return { report, failure, origin, fleet };
}

function buildReport(
  spec: ScenarioSpec,
  instances: number,
  ids: string[],
  rec: Recorder,
  keyIds: Map<string, number>,
  misses: Array<{ key: string; at: number }>,
  origin: SlowOrigin,
  reads: ReadonlyArray<{ hits: number; misses: number }>,
  t0: number,
): RunReport {
  const log = t0 === 0 ? origin.log : origin.log.map((q) => ({ ...q, t: q.t - t0 }));
  // Group requests by key once (a counting sort into one typed array: a million requests are
  // not worth a million array pushes), so attributing them to boundaries stays linear.
  const firstOfKey = new Uint32Array(keyIds.size + 1);
  for (let i = 0; i < rec.n; i++) firstOfKey[rec.key[i]! + 1]!++;
  for (let k = 0; k < keyIds.size; k++) firstOfKey[k + 1]! += firstOfKey[k]!;
  const byKey = new Uint32Array(rec.n);
  const fill = firstOfKey.slice(0, keyIds.size);
  for (let i = 0; i < rec.n; i++) byKey[fill[rec.key[i]!]!++] = i;
  const missesByKey = new Map<string, number[]>();
  for (const m of misses) {
    let list = missesByKey.get(m.key);
    if (list === undefined) missesByKey.set(m.key, (list = []));
    list.push(m.at);
  }
  const boundaries = clusterBoundaries(log, spec.ttlMs / 2, ids).map((b): BoundaryReport => {
    const lat: number[] = [];
    // This key's requests are byKey[firstOfKey[k] .. firstOfKey[k + 1]).
    const k = keyIds.get(b.key);
    const from = k === undefined ? 0 : firstOfKey[k]!;
    const to = k === undefined ? 0 : firstOfKey[k + 1]!;
    for (let j = from; j < to; j++) {
      const i = byKey[j]!;
      const s = rec.start[i]!;
      if (s >= b.start && s <= b.end) lat.push(rec.latency[i]!);
    }
    let m = 0;
    for (const at of missesByKey.get(b.key) ?? []) if (at >= b.start && at <= b.end) m++;
    const sum = summarize(lat);
    return { ...b, misses: m, requests: lat.length, p99: sum.p99, max: sum.max };
  });
  let hits = 0;
  let missCount = 0;
  for (const r of reads) {
    hits += r.hits;
    missCount += r.misses;
  }
  const perSecond = ratePerBin(
    log.map((q) => q.t),
    spec.durationMs,
  );
  const byInstance = ids.map((id) => log.filter((q) => q.instance === id).length);
  return {
    scenario: spec.name,
    seed: spec.seed,
    instances,
    ttlMs: spec.ttlMs,
    durationMs: spec.durationMs,
    requests: rec.n,
    failures: 0,
    latency: summarize(rec.latency.subarray(0, rec.n)),
    cache: { hits, misses: missCount, missRate: hits + missCount === 0 ? 0 : missCount / (hits + missCount) },
    origin: {
      queries: log.length,
      failed: log.filter((q) => q.outcome === 'error' || q.outcome === 'timeout' || q.outcome === 'overloaded').length,
      byInstance,
      peakInService: origin.peakInService,
      perSecond,
    },
    boundaries,
    sawtooth: detectSawtooth(perSecond, spec.ttlMs),
  };
}

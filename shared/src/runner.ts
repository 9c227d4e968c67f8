/**
 * The scenario runner: a learner's app factory plus a scenario spec in, a report out. It checks
 * the scenario (run/scenario.ts), assembles the fleet (run/fleet.ts), drives the load under the
 * chosen clock, records what every request got (run/served.ts), and builds the report section by
 * section (run/report.ts).
 */
import type { AppDeps, AppFactory } from './app.js';
import { realClock, type Clock } from './clock.js';
import { HerdError } from './errors.js';
import { realSetTimeout } from './guard.js';
import { driveLoad, keyPicker, type Scheduler } from './load.js';
import type { MemoryCache } from './memory-cache.js';
import type { SlowOrigin } from './origin.js';
import { createRng } from './rng.js';
import { assembleFleet, type FleetContext, type FleetMember } from './run/fleet.js';
import { buildReport, type RunReport } from './run/report.js';
import { checkScenario, type ScenarioSpec } from './run/scenario.js';
import { answerOf, Answer, Served } from './run/served.js';
import { VirtualClock, type VirtualRunOptions } from './virtual-clock.js';

export type { ScenarioSpec } from './run/scenario.js';
export type { FleetContext } from './run/fleet.js';
export type { RunReport, BoundaryReport, Freshness } from './run/report.js';
export { Answer, Served, type ServedRequest } from './run/served.js';

/** Drives a run's clock: the virtual clock, real time, or another driver (the benchmark's). */
export interface ClockDriver extends Scheduler {
  readonly clock: Clock;
  run<T>(main: Promise<T>, options: VirtualRunOptions): Promise<T>;
  /** Runs learner code outside `run` (the factories) under the same guard (VirtualClock.within). */
  within?<T>(fn: () => T): T;
}

/** Calls `fn` through the driver's `within` when it has one. */
export const within = <T>(driver: ClockDriver, fn: () => T): T => (driver.within ? driver.within(fn) : fn());

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

export interface FailureSample {
  count: number;
  /** First failure's message. */
  message: string;
  error: unknown;
}

export interface RunResult<D extends AppDeps = AppDeps> {
  report: RunReport;
  /** The first request failure, if any (the grader turns it into one line). */
  failure?: FailureSample;
  origin: SlowOrigin;
  fleet: Array<FleetMember<D> & { cache: MemoryCache }>;
  /** What every request got: start, latency, key, instance, outcome, the value's version and age. */
  served: Served;
}

const noop = (): void => {};

/** The age of a served value when it carries the origin's builtAt; NaN otherwise. */
function ageOf(value: unknown, now: number): number {
  const builtAt = (value as { builtAt?: unknown } | null)?.builtAt;
  return typeof builtAt === 'number' ? now - builtAt : NaN;
}

function versionOf(value: unknown): number {
  const v = (value as { version?: unknown } | null)?.version;
  return typeof v === 'number' && v >= 0 ? v : 0;
}

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
  checkScenario(spec);
  const fleet = within(driver, () => assembleFleet(spec, factory, clock, rng, t0, options.extend));
  const { ids, members } = fleet;
  for (const [i, m] of members.entries()) {
    if (typeof (m.app as { get?: unknown } | undefined)?.get !== 'function') {
      throw new HerdError('BAD_APP', `the app factory returned ${describe(m.app)} for ${ids[i]}, want an object with an async get(key) method`, { instance: ids[i] });
    }
  }

  for (const f of spec.originFaults ?? []) {
    const origin = fleet.context.origin;
    const on = (): void => (f.kind === 'down' ? origin.setDown(true) : origin.setSlowdown(f.factor));
    const off = (): void => (f.kind === 'down' ? origin.setDown(false) : origin.setSlowdown(1));
    driver.schedule(f.fromMs, on);
    driver.schedule(f.toMs, off);
  }

  const served = new Served();
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
    ok: (value: unknown) => void;
    err: (error: unknown) => void;
  }
  const calls: Call[] = [];
  const free: Call[] = [];
  const finish = (call: Call, ok: boolean, value: unknown): void => {
    const now = clock.now();
    served.add(call.started - t0, now - call.started, served.keyId(call.key), call.instance, ok, ok ? versionOf(value) : 0, ok ? ageOf(value, now) : NaN, ok ? answerOf(value, call.key) : Answer.own);
    call.started = NaN;
    const done = call.done;
    free.push(call);
    done();
  };
  const newCall = (): Call => {
    const call: Call = { started: NaN, key: '', instance: 0, done: noop, ok: noop, err: noop };
    call.ok = (value) => finish(call, true, value);
    call.err = (error) => {
      fail(error);
      finish(call, false, undefined);
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
      answer = members[instance]!.app.get(key);
    } catch (error) {
      // A get() that throws instead of returning a rejected promise.
      answer = Promise.reject(error);
    }
    if (!(answer instanceof Promise)) {
      // A get() that forgot `async` or `return`: the caller could not await it.
      answer = Promise.reject(
        new HerdError('BAD_APP', `${ids[instance]}'s get("${key}") returned ${describe(answer)}, not a promise: declare get async, or return the promise`, { instance: ids[instance], key }),
      );
    }
    (answer as Promise<unknown>).then(call.ok, call.err);
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

  const origin = fleet.context.origin;
  const report = buildReport({
    scenario: spec.name,
    seed: spec.seed,
    ttlMs: spec.ttlMs,
    durationMs: spec.durationMs,
    ids,
    served,
    failures: failure?.count ?? 0,
    misses: fleet.misses,
    reads: [...members.map((f) => f.cache.stats()), fleet.sharedReads],
    origin,
    log: t0 === 0 ? origin.log : origin.log.map((q) => ({ ...q, t: q.t - t0 })),
  });
  return { report, failure, origin, fleet: members, served };
}

/** "undefined", "a number", "an object without get": for messages about what came back. */
function describe(v: unknown): string {
  if (v === undefined || v === null) return String(v);
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

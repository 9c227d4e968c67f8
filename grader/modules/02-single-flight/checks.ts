/**
 * Hidden checks for module 02 (single-flight): one rebuild per boundary per process (however
 * slow the origin), shared values and shared errors (a synchronous throw included), no poisoned
 * entries, keys that never wait on or leak into each other (whatever their names), a cache that
 * keeps every key's value (null included), and waiters that wait about one origin latency.
 */
import { Answer, VirtualClock, type AppFactory, type ScenarioSpec, type Served } from '@herd/harness/engine';
import { auditAnswers, auditBoundaries, auditFreshness, worst } from '../../src/cache/audit.js';
import { auditKeyBoundaries, boundariesByKey, keyName } from '../../src/cache/per-key.js';
import { runApp } from '../../src/cache/run-app.js';
import { at, ms, range, settleAll } from '../../src/check-kit.js';
import type { AppBuilder, CheckFn, Exports, Outcome } from '../../src/define.js';
import { HOT_ORIGIN, hotKey } from '../../src/scenarios.js';
import { ABSENT_KEY, MANY_KEYS, SLOW_FACTOR, SLOW_SPELL, hotKeySlowSpell, manyKeys } from './scenarios.js';

interface SingleFlight {
  do<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/**
 * The learner's cache; every run is audited against the TTL: a value is built when its query
 * lands and stored at once, so nothing served may be older than that.
 */
export const app: AppBuilder = async (exports) => ({ factory: exports.createSingleFlightCache as AppFactory, maxAgeMs: (spec) => spec.ttlMs });
/** A new flight from the learner's factory, made under the clock's guard. */
const flight = (clock: VirtualClock, exports: Exports): SingleFlight => clock.within(() => (exports.createSingleFlight as () => SingleFlight)());

/**
 * do(key, fn) as a caller awaits it, under the clock's guard; a non-promise becomes a resolved
 * one. With `odd`, a synchronous throw of `expected` (fn's own error) becomes a rejection,
 * counted for the check to name; any other throw is the learner's code failing, named as such.
 */
function call<T>(clock: VirtualClock, sf: SingleFlight, key: string, fn: () => Promise<T>, odd?: { threw: number; expected: unknown }): Promise<T> {
  return clock.within(() => {
    if (odd === undefined) return Promise.resolve(sf.do(key, fn));
    try {
      return Promise.resolve(sf.do(key, fn));
    } catch (error) {
      if (error !== odd.expected) throw error;
      odd.threw++;
      return Promise.reject(error);
    }
  });
}

/**
 * The figure of a check made of calls (pnpm verdicts prints it): how many calls broke the
 * contract (an extra run of fn counts as one), against a bound of none.
 */
const broke = (calls: number) => ({ figure: calls, bound: 0 });

/** What a do() resolved to, for a message. */
function shown(value: unknown): string {
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  if (value !== null && typeof value === 'object' && 'key' in value) return `key "${String((value as { key: unknown }).key)}"'s value`;
  if (value !== null && typeof value === 'object') return 'an object fn never made';
  return String(value);
}

/**
 * The first answer of one key served to a reader of another (a value, or the absent key's null),
 * as a message, in a run whose origin never fails; undefined when there is none.
 */
function leakedAnswer(served: Served, spec: ScenarioSpec): string | undefined {
  for (let i = 0; i < served.n; i++) {
    if (served.ok[i] !== 1) continue;
    const a = served.answer[i]! as Answer;
    const key = served.keys[served.key[i]!]!;
    const leaked = a === Answer.otherKey ? "another key's value" : a === Answer.null && !(spec.origin.absent?.(key) ?? false) ? `null, another key's answer (only "${ABSENT_KEY}" is absent)` : undefined;
    if (leaked !== undefined) {
      return `i${served.instance[i]}'s get("${key}") at ${at(served.start[i]!)} answered ${leaked}, want "${key}"'s own: is the flight keyed by something other than the key?`;
    }
  }
  return undefined;
}

/** Keys that name what every plain object already has. */
const BUILT_IN_KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'] as const;

export const checks: Record<string, CheckFn> = {
  async 'one query per boundary'({ seed, exports, value = 1 }): Promise<Outcome> {
    const spec = hotKeySlowSpell(seed);
    const { report } = await runApp(app, exports, spec);
    const series = report.origin.perSecond;
    const off = auditBoundaries(report, spec) ?? auditFreshness(report, spec);
    if (off) return { pass: false, measured: `${report.boundaries.length} boundaries`, message: off, series };
    const w = worst(report.boundaries, (b) => b.queries)!;
    const measured = `max ${w.queries} per boundary (${report.boundaries.length} boundaries)`;
    const figures = { figure: w.queries, bound: value, series };
    if (w.queries > value) {
      const slow = w.start >= SLOW_SPELL.fromMs && w.start < SLOW_SPELL.toMs ? ` (the origin ${SLOW_FACTOR}x slower then)` : '';
      return {
        pass: false,
        measured,
        message: `boundary at ${at(w.start)}${slow} sent ${w.queries} queries to the origin, want ${value}: concurrent misses for one key should share one rebuild, however long it takes`,
        ...figures,
      };
    }
    return { pass: true, measured, ...figures };
  },

  async 'one per instance'({ seed, exports, value = 4 }): Promise<Outcome> {
    const spec = hotKey(seed, value);
    const { report } = await runApp(app, exports, spec);
    const series = report.origin.perSecond;
    const audit = auditBoundaries(report, spec);
    if (audit) return { pass: false, measured: `${report.boundaries.length} boundaries`, message: audit, series };
    // The figure: the most queries one instance sent at one boundary (want exactly 1 each).
    const most = Math.max(...report.boundaries.flatMap((b) => b.byInstance));
    const figures = { figure: most, bound: 1, series };
    const off = report.boundaries.find((b) => b.byInstance.some((q) => q !== 1));
    if (off) {
      const shared = off.byInstance.filter((q) => q === 0).length > 0 ? ": an instance with 0 shared another's flight (module-level state?); every process coalesces its own misses" : ': every process coalesces its own misses';
      return {
        pass: false,
        measured: `[${off.byInstance.join(', ')}] at ${at(off.start)}`,
        message: `boundary at ${at(off.start)} sent [${off.byInstance.join(', ')}] queries per instance, want 1 each${shared}`,
        ...figures,
      };
    }
    const totals = report.boundaries.map((b) => b.queries);
    return { pass: true, measured: `${range(totals)} per boundary, 1 per instance`, ...figures };
  },

  async 'same value for every waiter'({ exports }): Promise<Outcome> {
    const clock = new VirtualClock();
    const sf = flight(clock, exports);
    let runs = 0;
    const fn = async (): Promise<{ run: number }> => {
      runs++;
      const run = runs;
      await clock.sleep(200);
      return { run };
    };
    const calls = Array.from({ length: 100 }, (_, i) => ({ label: `caller ${i + 1}'s do("k")`, promise: call(clock, sf, 'k', fn) }));
    const out = await settleAll(clock, calls);
    if (runs !== 1) {
      return { pass: false, measured: `fn ran ${runs}x`, message: `fn ran ${runs} times for 100 concurrent callers, want 1`, ...broke(runs - 1) };
    }
    const failed = out.filter((o) => !o.ok).length;
    const distinct = new Set(out.filter((o) => o.ok).map((o) => o.value)).size;
    const sameAsFirst = out.filter((o) => o.ok && o.value === out[0]!.value).length;
    if (failed > 0 || distinct !== 1) {
      return {
        pass: false,
        measured: `${distinct} values, ${failed} errors`,
        message: `100 callers got ${distinct} distinct values and ${failed} errors, want the one value fn returned, shared`,
        ...broke(100 - sameAsFirst),
      };
    }
    // A second round, after the first settled: a single flight coalesces calls in flight, it
    // is not a cache. And a second flight from the same factory shares nothing with the first.
    const other = flight(clock, exports);
    let otherRuns = 0;
    const again = await settleAll(clock, [
      { label: 'the do("k") after the first round settled', promise: call(clock, sf, 'k', fn) },
      {
        label: 'a second flight\'s do("k")',
        promise: call(clock, other, 'k', async () => {
          otherRuns++;
          await clock.sleep(200);
          return { run: -1 };
        }),
      },
    ]);
    if ((runs as number) !== 2 || !again[0]!.ok) {
      return {
        pass: false,
        measured: `fn ran ${runs - 1}x in round 2`,
        message: `a do("k") after the first flight settled got the old result without running fn (fn ran ${runs} times in all, want 2): keeps a successful result forever; remove the entry once the promise settles`,
        ...broke(1),
      };
    }
    if (otherRuns !== 1) {
      return {
        pass: false,
        measured: 'two flights shared an entry',
        message: `a second createSingleFlight()'s do("k") ran its fn ${otherRuns} times, want 1: two flights share their in-flight map (a module-level variable?); keep it inside createSingleFlight`,
        ...broke(1),
      };
    }
    return { pass: true, measured: 'fn ran once; 100 callers, 1 value; round 2 runs fn again', ...broke(0) };
  },

  async 'failure shared, not cached'({ exports }): Promise<Outcome> {
    const clock = new VirtualClock();
    const sf = flight(clock, exports);
    const boom = new Error('origin down');
    let runs = 0;
    const failing = async (): Promise<string> => {
      runs++;
      await clock.sleep(200);
      throw boom;
    };
    const calls = Array.from({ length: 50 }, (_, i) => ({ label: `caller ${i + 1}'s do("k")`, promise: call(clock, sf, 'k', failing) }));
    const out = await settleAll(clock, calls);
    const shared = out.filter((o) => !o.ok && o.error === boom).length;
    if (runs !== 1) {
      return { pass: false, measured: `fn ran ${runs}x`, message: `fn ran ${runs} times for 50 concurrent callers, want 1`, ...broke(runs - 1) };
    }
    if (shared !== 50) {
      return {
        pass: false,
        measured: `${shared}/50 got the error`,
        message: `${shared} of 50 waiters were rejected with the rebuild's error, want all 50 (a failed rebuild must reject every waiter)`,
        ...broke(50 - shared),
      };
    }
    let retried = 0;
    const retry = await settleAll(clock, [
      {
        label: 'the do("k") after the failed rebuild',
        promise: call(clock, sf, 'k', async () => {
          retried++;
          await clock.sleep(200);
          return 'fresh';
        }),
      },
    ]);
    if (retried !== 1 || !retry[0]!.ok || retry[0]!.value !== 'fresh') {
      return {
        pass: false,
        measured: 'next call got the old error',
        message: 'the call after a failed rebuild did not run fn again (poisoned in-flight entry): remove the entry when the promise rejects too',
        ...broke(1),
      };
    }

    // fn may fail before it returns a promise (a check on its arguments, a client that throws
    // first). Every caller still gets a rejected promise, and the key is free again after.
    const slip = new Error('bad request');
    const throwsAtOnce = (() => {
      throw slip;
    }) as () => Promise<string>;
    const odd = { threw: 0, expected: slip as unknown };
    // Each waits at most 1 s: one that never settles is the symptom, not a HANG of the check.
    const PATIENCE = 1000;
    const pending: unique symbol = Symbol('pending');
    const waited = <T>(p: Promise<T>): Promise<T | typeof pending> => Promise.race([p, clock.sleep(PATIENCE).then((): typeof pending => pending)]);
    const thrown = await settleAll(
      clock,
      Array.from({ length: 5 }, (_, i) => ({ label: `caller ${i + 1}'s do("s") whose fn throws`, promise: waited(call(clock, sf, 's', throwsAtOnce, odd)) })),
    );
    let after = 0;
    const next = await settleAll(clock, [
      {
        label: 'the do("s") after fn threw',
        promise: waited(
          call(clock, sf, 's', async () => {
            after++;
            await clock.sleep(200);
            return 'fresh';
          }),
        ),
      },
    ]);
    const stuck = thrown.filter((o) => o.ok && o.value === pending).length;
    const nextStuck = next[0]!.ok && next[0]!.value === pending;
    if (stuck > 0 || nextStuck) {
      const who = [stuck > 0 ? `${stuck} of 5 callers' do("s")` : '', nextStuck ? 'the next call' : ''].filter(Boolean).join(' and ');
      return {
        pass: false,
        measured: `${stuck + (nextStuck ? 1 : 0)} calls never settled`,
        message: `when fn threw before returning a promise, ${who} never settled (waited ${PATIENCE} ms), want each rejected with that error and the next call to run fn again: the entry stayed in the map; call fn inside a try (or an async function) so its throw settles the flight too`,
        ...broke(stuck + (nextStuck ? 1 : 0)),
      };
    }
    const rejected = thrown.filter((o) => !o.ok && o.error === slip).length;
    if (rejected !== 5) {
      return {
        pass: false,
        measured: `${rejected}/5 got the error`,
        message: `when fn threw before returning a promise, ${rejected} of 5 callers were rejected with its error, want all 5`,
        ...broke(5 - rejected),
      };
    }
    if (odd.threw > 0) {
      return {
        pass: false,
        measured: `do threw ${odd.threw}x`,
        message: `when fn threw before returning a promise, do("s") threw too (${odd.threw} of 5 callers), want a rejected promise: callers await do; run fn inside the promise`,
        ...broke(odd.threw),
      };
    }
    if (after !== 1 || !next[0]!.ok || next[0]!.value !== 'fresh') {
      return {
        pass: false,
        measured: 'next call did not rerun fn',
        message: 'the call after fn threw did not run fn again (poisoned in-flight entry): remove the entry when fn throws too',
        ...broke(1),
      };
    }
    return { pass: true, measured: '50/50 share the error; next call retries; a throw too', ...broke(0) };
  },

  async 'keys independent'({ exports }): Promise<Outcome> {
    const clock = new VirtualClock();
    const sf = flight(clock, exports);
    // A Map: the keys below include "constructor" and "__proto__".
    const counts = new Map<string, number>();
    const ran = (key: string): number => counts.get(key) ?? 0;
    const rebuild = (key: string, took: number) => async (): Promise<{ key: string }> => {
      counts.set(key, ran(key) + 1);
      await clock.sleep(took);
      return { key };
    };
    // 50 callers of each key, interleaved a, b, a, b...: key "a" rebuilds in 1 s, "b" in 100 ms.
    const calls = Array.from({ length: 100 }, (_, i) => {
      const key = i % 2 === 0 ? 'a' : 'b';
      return { label: `caller ${(i >> 1) + 1}'s do("${key}")`, promise: call(clock, sf, key, rebuild(key, key === 'a' ? 1000 : 100)) };
    });
    const out = await settleAll(clock, calls);
    const b = out.filter((_, i) => i % 2 === 1);
    const slowest = Math.max(...b.map((o) => o.at));
    const strayed = (o: (typeof out)[number], i: number): boolean => !o.ok || (o.value as { key?: unknown } | undefined)?.key !== (i % 2 === 0 ? 'a' : 'b');
    const stray = out.findIndex(strayed);
    const strays = out.filter(strayed).length;
    const late = b.filter((o) => o.at > 100).length;
    if (stray >= 0) {
      const o = out[stray]!;
      const key = stray % 2 === 0 ? 'a' : 'b';
      return {
        pass: false,
        measured: `${key} got ${o.ok ? shown(o.value) : 'an error'}`,
        message: `a caller of key "${key}" got ${o.ok ? `another key's value (${shown(o.value)})` : 'an error'}, want its own: keep one entry per key`,
        ...broke(strays),
      };
    }
    const ranA = ran('a');
    const ranB = ran('b');
    if (ranA !== 1 || ranB !== 1) {
      return {
        pass: false,
        measured: `a ${ranA}x, b ${ranB}x`,
        message: `fn ran ${ranA} times for key "a" and ${ranB} for "b" (50 callers each, arriving a, b, a, b), want 1 per key: a flight for one key dropped the other's; keep an entry per key`,
        ...broke(Math.abs(ranA - 1) + Math.abs(ranB - 1)),
      };
    }
    if (slowest > 100) {
      return {
        pass: false,
        measured: `b done at ${ms(slowest)}`,
        message: `key "b" (100 ms rebuild) finished at ${ms(slowest)}, want 100 ms: it waited on key "a"`,
        ...broke(late),
      };
    }
    // Round 2, once both settled: each key's entry is gone, whichever settled first.
    const again = await settleAll(clock, [
      { label: 'the do("a") after both flights settled', promise: call(clock, sf, 'a', rebuild('a', 1000)) },
      { label: 'the do("b") after both flights settled', promise: call(clock, sf, 'b', rebuild('b', 100)) },
    ]);
    for (const [i, key] of (['a', 'b'] as const).entries()) {
      if (ran(key) !== 2 || !again[i]!.ok) {
        return {
          pass: false,
          measured: `round 2: ${key} ${ran(key) - 1}x`,
          message: `after both flights settled, do("${key}") got its old result without running fn (fn ran ${ran(key)} times for "${key}" in all, want 2): its entry was never removed; remove each call's own entry when it settles, whatever other keys do`,
          ...broke(1),
        };
      }
    }
    // Any string is a key, including the names every plain object already has.
    const named = BUILT_IN_KEYS.flatMap((key) => Array.from({ length: 3 }, (_, i) => ({ label: `caller ${i + 1}'s do("${key}")`, promise: call(clock, sf, key, rebuild(key, 100)) })));
    const got = await settleAll(clock, named);
    for (const [j, key] of BUILT_IN_KEYS.entries()) {
      const mine = got.slice(3 * j, 3 * j + 3);
      const bad = mine.find((o) => !o.ok || (o.value as { key?: unknown } | undefined)?.key !== key);
      if (ran(key) !== 1 || bad !== undefined) {
        const what = bad === undefined ? "fn's value" : bad.ok ? shown(bad.value) : 'an error';
        return {
          pass: false,
          measured: `do("${key}"): fn ${ran(key)}x`,
          message: `do("${key}") ran fn ${ran(key)} times for 3 callers and resolved to ${what}, want fn run once and its value: a key named like a built-in property found something already there (a plain object as the map?); use a Map`,
          ...broke(Math.abs(ran(key) - 1) + mine.filter((o) => !o.ok || (o.value as { key?: unknown } | undefined)?.key !== key).length),
        };
      }
    }
    return { pass: true, measured: 'a once at 1000 ms, b once at 100 ms; any name', ...broke(0) };
  },

  async 'many keys at once'({ seed, exports, value = 1 }): Promise<Outcome> {
    const spec = manyKeys(seed);
    const { report, served } = await runApp(app, exports, spec, { allowWrongAnswers: true });
    const w = worst(report.boundaries, (b) => b.queries);
    const figures = { figure: w?.queries ?? 0, bound: value, series: report.origin.perSecond };
    // The origin never fails here, so a null for a key that exists is the absent key's: another
    // key's, like a value of another key. Either is looked for first, over the whole run.
    const leak = leakedAnswer(served, spec) ?? auditAnswers(served, spec, spec.ttlMs);
    if (leak) return { pass: false, measured: 'a wrong answer', message: leak, ...figures };
    const off = auditKeyBoundaries(report, spec, MANY_KEYS);
    if (off) return { pass: false, measured: `${report.boundaries.length} boundaries`, message: off, ...figures };
    const perKey = [...boundariesByKey(report, MANY_KEYS).values()].map((l) => l.length);
    const measured = `max ${w!.queries} per boundary (${range(perKey)} boundaries per key)`;
    if (w!.queries > value) {
      return {
        pass: false,
        measured,
        message: `${keyName(spec, w!.key)}'s boundary at ${at(w!.start)} sent ${w!.queries} queries to the origin, want ${value}: with ${MANY_KEYS.length} keys missing at once, each key's misses share that key's one rebuild`,
        ...figures,
      };
    }
    return { pass: true, measured, ...figures };
  },

  async 'p99 at the boundary'({ seed, exports, value = 264 }): Promise<Outcome> {
    const { report } = await runApp(app, exports, hotKey(seed));
    const w = worst(report.boundaries, (b) => b.p99);
    if (w === undefined) return { pass: false, measured: '0 boundaries', message: 'the origin got no query at all, so there is no boundary to time: get() must reach deps.origin.fetch on a miss' };
    const measured = `${ms(w.p99)} (worst of ${report.boundaries.length})`;
    const figures = { figure: w.p99, bound: value };
    if (w.p99 > value) {
      return {
        pass: false,
        measured,
        message: `p99 at the boundary ${at(w.start)} was ${ms(w.p99)}, want <= ${value} ms (about one origin latency, ${HOT_ORIGIN.latencyMs}+${HOT_ORIGIN.jitterMs} ms): waiters queued behind their own duplicate queries`,
        series: report.origin.perSecond,
        ...figures,
      };
    }
    return { pass: true, measured, ...figures };
  },
};

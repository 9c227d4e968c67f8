/**
 * Hidden checks for module 02 (single-flight): one rebuild per boundary per process, shared
 * values and shared errors, no poisoned entries, keys that never wait on each other, and waiters
 * that wait about one origin latency.
 */
import { VirtualClock, type AppFactory } from '@herd/harness/engine';
import { auditBoundaries, auditFreshness, worst } from '../../src/cache/audit.js';
import { runApp } from '../../src/cache/run-app.js';
import { at, ms, range, settleAll } from '../../src/check-kit.js';
import type { AppBuilder, CheckFn, Exports, Outcome } from '../../src/define.js';
import { HOT_ORIGIN, hotKey } from '../../src/scenarios.js';

interface SingleFlight {
  do<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export const app: AppBuilder = async (exports) => ({ factory: exports.createSingleFlightCache as AppFactory });
const flight = (exports: Exports): SingleFlight => (exports.createSingleFlight as () => SingleFlight)();

export const checks: Record<string, CheckFn> = {
    async 'one query per boundary'({ seed, exports, value = 1 }): Promise<Outcome> {
      const spec = hotKey(seed);
      const { report } = await runApp(app, exports, spec);
      const series = report.origin.perSecond;
      const off = auditBoundaries(report, spec) ?? auditFreshness(report, spec);
      if (off) return { pass: false, measured: `${report.boundaries.length} boundaries`, message: off, series };
      const w = worst(report.boundaries, (b) => b.queries)!;
      const measured = `max ${w.queries} per boundary (${report.boundaries.length} boundaries)`;
      if (w.queries > value) {
        return {
          pass: false,
          measured,
          message: `boundary at ${at(w.start)} sent ${w.queries} queries to the origin, want ${value}: concurrent misses for one key should share one rebuild`,
          series,
        };
      }
      return { pass: true, measured, series };
    },

    async 'one per instance'({ seed, exports, value = 4 }): Promise<Outcome> {
      const spec = hotKey(seed, value);
      const { report } = await runApp(app, exports, spec);
      const series = report.origin.perSecond;
      const audit = auditBoundaries(report, spec);
      if (audit) return { pass: false, measured: `${report.boundaries.length} boundaries`, message: audit, series };
      const off = report.boundaries.find((b) => b.byInstance.some((q) => q !== 1));
      if (off) {
        const shared = off.byInstance.filter((q) => q === 0).length > 0 ? ': an instance with 0 shared another\'s flight (module-level state?); every process coalesces its own misses' : ': every process coalesces its own misses';
        return {
          pass: false,
          measured: `[${off.byInstance.join(', ')}] at ${at(off.start)}`,
          message: `boundary at ${at(off.start)} sent [${off.byInstance.join(', ')}] queries per instance, want 1 each${shared}`,
          series,
        };
      }
      const totals = report.boundaries.map((b) => b.queries);
      return { pass: true, measured: `${range(totals)} per boundary, 1 per instance`, series };
    },

    async 'same value for every waiter'({ exports }): Promise<Outcome> {
      const clock = new VirtualClock();
      const sf = flight(exports);
      let runs = 0;
      const fn = async (): Promise<{ run: number }> => {
        runs++;
        const run = runs;
        await clock.sleep(200);
        return { run };
      };
      const calls = Array.from({ length: 100 }, (_, i) => ({ label: `caller ${i + 1}'s do("k")`, promise: sf.do('k', fn) }));
      const out = await settleAll(clock, calls);
      if (runs !== 1) {
        return { pass: false, measured: `fn ran ${runs}x`, message: `fn ran ${runs} times for 100 concurrent callers, want 1` };
      }
      const failed = out.filter((o) => !o.ok).length;
      const distinct = new Set(out.filter((o) => o.ok).map((o) => o.value)).size;
      if (failed > 0 || distinct !== 1) {
        return {
          pass: false,
          measured: `${distinct} values, ${failed} errors`,
          message: `100 callers got ${distinct} distinct values and ${failed} errors, want the one value fn returned, shared`,
        };
      }
      // A second round, after the first settled: a single flight coalesces calls in flight, it
      // is not a cache. And a second flight from the same factory shares nothing with the first.
      const other = flight(exports);
      let otherRuns = 0;
      const again = await settleAll(clock, [
        { label: 'the do("k") after the first round settled', promise: sf.do('k', fn) },
        {
          label: 'a second flight\'s do("k")',
          promise: other.do('k', async () => {
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
        };
      }
      if (otherRuns !== 1) {
        return {
          pass: false,
          measured: 'two flights shared an entry',
          message: `a second createSingleFlight()'s do("k") ran its fn ${otherRuns} times, want 1: two flights share their in-flight map (a module-level variable?); keep it inside createSingleFlight`,
        };
      }
      return { pass: true, measured: 'fn ran once; 100 callers, 1 value; round 2 runs fn again' };
    },

    async 'failure shared, not cached'({ exports }): Promise<Outcome> {
      const clock = new VirtualClock();
      const sf = flight(exports);
      const boom = new Error('origin down');
      let runs = 0;
      const failing = async (): Promise<string> => {
        runs++;
        await clock.sleep(200);
        throw boom;
      };
      const calls = Array.from({ length: 50 }, (_, i) => ({ label: `caller ${i + 1}'s do("k")`, promise: sf.do('k', failing) }));
      const out = await settleAll(clock, calls);
      if (runs !== 1) {
        return { pass: false, measured: `fn ran ${runs}x`, message: `fn ran ${runs} times for 50 concurrent callers, want 1` };
      }
      const shared = out.filter((o) => !o.ok && o.error === boom).length;
      if (shared !== 50) {
        return {
          pass: false,
          measured: `${shared}/50 got the error`,
          message: `${shared} of 50 waiters were rejected with the rebuild's error, want all 50 (a failed rebuild must reject every waiter)`,
        };
      }
      let retried = 0;
      const retry = await settleAll(clock, [
        {
          label: 'the do("k") after the failed rebuild',
          promise: sf.do('k', async () => {
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
        };
      }
      return { pass: true, measured: '50/50 share the error; next call retries' };
    },

    async 'keys independent'({ exports }): Promise<Outcome> {
      const clock = new VirtualClock();
      const sf = flight(exports);
      const runs = { a: 0, b: 0 };
      const rebuild = (key: 'a' | 'b', took: number) => async (): Promise<string> => {
        runs[key]++;
        await clock.sleep(took);
        return `value of ${key}`;
      };
      const calls = [
        ...Array.from({ length: 50 }, (_, i) => ({ label: `caller ${i + 1}'s do("a")`, promise: sf.do('a', rebuild('a', 1000)) })),
        ...Array.from({ length: 50 }, (_, i) => ({ label: `caller ${i + 1}'s do("b")`, promise: sf.do('b', rebuild('b', 100)) })),
      ];
      const out = await settleAll(clock, calls);
      if (runs.a !== 1 || runs.b !== 1) {
        const which = runs.a !== 1 ? `fn ran ${runs.a} times for key "a"` : `fn ran ${runs.b} times for key "b"`;
        return { pass: false, measured: `a ${runs.a}x, b ${runs.b}x`, message: `${which}, want 1 per key` };
      }
      const b = out.slice(50);
      const wrong = b.find((o) => !o.ok || o.value !== 'value of b');
      if (wrong) {
        return { pass: false, measured: 'b got a\'s value', message: 'a caller of key "b" got another key\'s value or an error: keep one entry per key' };
      }
      const slowest = Math.max(...b.map((o) => o.at));
      if (slowest > 100) {
        return {
          pass: false,
          measured: `b done at ${ms(slowest)}`,
          message: `key "b" (100 ms rebuild) finished at ${ms(slowest)}, want 100 ms: it waited on key "a"`,
        };
      }
      return { pass: true, measured: 'a once at 1000 ms, b once at 100 ms' };
    },

    async 'p99 at the boundary'({ seed, exports, value = 264 }): Promise<Outcome> {
      const { report } = await runApp(app, exports, hotKey(seed));
      const w = worst(report.boundaries, (b) => b.p99);
      if (w === undefined) return { pass: false, measured: '0 boundaries', message: 'the origin got no query at all, so there is no boundary to time: get() must reach deps.origin.fetch on a miss' };
      const measured = `${ms(w.p99)} (worst of ${report.boundaries.length})`;
      if (w.p99 > value) {
        return {
          pass: false,
          measured,
          message: `p99 at the boundary ${at(w.start)} was ${ms(w.p99)}, want <= ${value} ms (about one origin latency, ${HOT_ORIGIN.latencyMs}+${HOT_ORIGIN.jitterMs} ms): waiters queued behind their own duplicate queries`,
          series: report.origin.perSecond,
        };
      }
      return { pass: true, measured };
    },
};

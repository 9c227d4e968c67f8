/**
 * Hidden checks for module 02 (single-flight): one rebuild per boundary per process, shared
 * values and shared errors, no poisoned entries, keys that never wait on each other, and waiters
 * that wait about one origin latency.
 */
import { VirtualClock, type AppFactory } from '@herd/harness/engine';
import { at, ms, range, runOrThrow, settleAll } from '../src/check-kit.js';
import { HOT_ORIGIN, hotKey } from '../src/scenarios.js';
import type { Exports, ModuleChecks, Outcome } from '../src/types.js';

interface SingleFlight {
  do<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

const app = (exports: Exports): AppFactory => exports.createSingleFlightCache as AppFactory;
const flight = (exports: Exports): SingleFlight => (exports.createSingleFlight as () => SingleFlight)();

const checks: ModuleChecks = {
  app,
  scenario: (seed) => hotKey(seed),
  checks: {
    async 'one query per boundary'({ seed, exports, value = 1 }): Promise<Outcome> {
      const { report } = await runOrThrow(hotKey(seed), app(exports));
      const series = report.origin.perSecond;
      const worst = report.boundaries.reduce((a, b) => (b.queries > a.queries ? b : a));
      const measured = `max ${worst.queries} per boundary (${report.boundaries.length} boundaries)`;
      if (worst.queries > value) {
        return {
          pass: false,
          measured,
          message: `boundary at ${at(worst.start)} sent ${worst.queries} queries to the origin, want ${value}: concurrent misses for one key should share one rebuild`,
          series,
        };
      }
      return { pass: true, measured, series };
    },

    async 'one per instance'({ seed, exports, value = 4 }): Promise<Outcome> {
      const { report } = await runOrThrow(hotKey(seed, value), app(exports));
      const series = report.origin.perSecond;
      const off = report.boundaries.find((b) => b.byInstance.some((q) => q !== 1));
      if (off) {
        return {
          pass: false,
          measured: `[${off.byInstance.join(', ')}] at ${at(off.start)}`,
          message: `boundary at ${at(off.start)} sent [${off.byInstance.join(', ')}] queries per instance, want 1 each: every process coalesces its own misses`,
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
      return { pass: true, measured: 'fn ran once; 100 callers, 1 value' };
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
      const { report } = await runOrThrow(hotKey(seed), app(exports));
      const worst = report.boundaries.reduce((a, b) => (b.p99 > a.p99 ? b : a));
      const measured = `${ms(worst.p99)} (worst of ${report.boundaries.length})`;
      if (worst.p99 > value) {
        return {
          pass: false,
          measured,
          message: `p99 at the boundary ${at(worst.start)} was ${ms(worst.p99)}, want <= ${value} ms (about one origin latency, ${HOT_ORIGIN.latencyMs}+${HOT_ORIGIN.jitterMs} ms): waiters queued behind their own duplicate queries`,
          series: report.origin.perSecond,
        };
      }
      return { pass: true, measured };
    },
  },
};

export default checks;

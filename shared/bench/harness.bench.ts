/**
 * Harness benchmark: how fast does the discrete-event virtual clock simulate a big herd, and how
 * does it compare with driving the IDENTICAL scenario with @sinonjs/fake-timers?
 *
 * Scenario: 10,000 closed-loop clients on one hot key, think time 1-2 s (uniform), origin latency
 * 200 ms, TTL 60 s, 3 virtual minutes (~1.2 million requests), a naive cache-aside app.
 *
 * Run: pnpm bench:harness. Every figure printed is measured in this run.
 */
import { performance } from 'node:perf_hooks';
import FakeTimers from '@sinonjs/fake-timers';
import {
  HerdError,
  runScenario,
  type AppFactory,
  type Clock,
  type ClockDriver,
  type OriginValue,
  type RunReport,
  type ScenarioSpec,
  type VirtualRunOptions,
} from '../src/engine.js';

const spec: ScenarioSpec = {
  name: 'bench: 10k clients, one hot key',
  seed: 20_240_601,
  durationMs: 180_000,
  ttlMs: 60_000,
  origin: { latencyMs: 200 },
  keys: { kind: 'hot', key: 'home' },
  load: { kind: 'closed', clients: 10_000, thinkMs: [1_000, 2_000] },
};

/** fake-timers gets at most this much wall time; past it the run is abandoned and rated on what it completed. */
const FAKE_TIMERS_CAP_MS = 20_000;
const TARGET_WALL_MS = 2_000;
/** Virtual-clock runs; the verdict is on their median. */
const RUNS = 3;
const TARGET_RATIO = 3;

/**
 * The naive cache-aside app, with its own count of completed requests and their completion times
 * (the same bookkeeping in both runs, so it costs both the same). The times let us check that the
 * fake-timers run replays exactly the same simulation as the virtual-clock run.
 */
function naiveApp() {
  const stats = { completed: 0, times: [] as number[] };
  const factory: AppFactory = (deps) => ({
    async get(key) {
      const hit = deps.cache.get(key) as OriginValue | null | undefined;
      if (hit !== undefined) {
        stats.completed++;
        stats.times.push(deps.clock.now());
        return hit;
      }
      const value = await deps.origin.fetch(key);
      deps.cache.set(key, value, deps.ttlMs);
      stats.completed++;
      stats.times.push(deps.clock.now());
      return value;
    },
  });
  return { factory, stats };
}

class Capped extends Error {
  constructor(readonly virtualMs: number) {
    super(`fake-timers run capped at ${FAKE_TIMERS_CAP_MS} ms of wall time`);
  }
}

/**
 * A ClockDriver backed by a private fake-timers clock (created with withGlobal().createClock(),
 * never installed globally).
 *
 * Why next() + tick(0) + a real setImmediate, and not fake-timers' own tickAsync()/nextAsync()?
 * Those yield to the event loop through a real setTimeout once per timer (about 1 ms each), which
 * for this scenario's ~1.4 million timers would take ~20 minutes. next() fires the earliest timer,
 * tick(0) fires every other timer due at that same instant, and one real setImmediate lets all the
 * promise continuations they caused run before time moves: the same stepping the virtual clock
 * does, so this is the fairest fast way to drive fake-timers.
 *
 * Semantics match the virtual clock for this scenario: fake-timers truncates fractional delays and
 * turns a 0 ms delay scheduled *during* a tick into 1 ms, but every delay here is a whole number of
 * ms and the only 0 ms delays (client start offsets) are scheduled before the run starts. Same-time
 * timers fire in creation order, as in the virtual clock. (The completion-time check below
 * verifies the two runs are the same simulation.)
 */
function fakeTimersDriver(capWallMs: number): ClockDriver & { fakeNow(): number } {
  const fake = FakeTimers.withGlobal(globalThis).createClock(0);
  const clock: Clock = {
    now: () => fake.now,
    sleep: (ms) => new Promise<void>((resolve) => void fake.setTimeout(resolve as () => void, ms)),
  };
  return {
    clock,
    now: clock.now,
    schedule: (ms, fn) => void fake.setTimeout(fn, ms),
    fakeNow: () => fake.now,
    run<T>(main: Promise<T>, options: VirtualRunOptions): Promise<T> {
      const wallStart = performance.now();
      return new Promise<T>((resolve, reject) => {
        let state: 'pending' | 'ok' | 'failed' = 'pending';
        let value: T | undefined;
        let error: unknown;
        main.then(
          (v) => {
            state = 'ok';
            value = v;
          },
          (e: unknown) => {
            state = 'failed';
            error = e;
          },
        );
        const step = (): void => {
          if (state === 'ok') return resolve(value as T);
          if (state === 'failed') return reject(error);
          // Abandon the run: nothing drives the fake clock again, its timers are dropped.
          if (performance.now() - wallStart > capWallMs) return reject(new Capped(fake.now));
          if (fake.countTimers() === 0) {
            return reject(new HerdError('HANG', `${options.describePending?.() ?? 'the run'} never settled (fake-timers)`));
          }
          fake.next();
          if (options.deadline !== undefined && fake.now > options.deadline) {
            return reject(new HerdError('STUCK', `${options.describePending?.() ?? 'the run'} still pending at the deadline (fake-timers)`));
          }
          fake.tick(0);
          setImmediate(step);
        };
        setImmediate(step);
      });
    },
  };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');

async function main(): Promise<void> {
  console.log(`Scenario: ${spec.name}; ${fmt(10_000)} closed-loop clients, think 1-2 s, origin 200 ms, TTL 60 s, ${spec.durationMs / 1000} s virtual`);
  console.log(`Node ${process.version}, fake-timers driven by next() + tick(0) + setImmediate\n`);

  // 1. The harness's own virtual clock (runScenario's default driver), RUNS times: the first
  // run pays for JIT warm-up, and one machine's timings swing by a third between runs, so the
  // verdict is on the median and every run is printed.
  const walls: number[] = [];
  let v = naiveApp();
  let report: RunReport | undefined;
  for (let i = 0; i < RUNS; i++) {
    v = naiveApp();
    const vStart = performance.now();
    const run = await runScenario(spec, v.factory);
    walls.push(performance.now() - vStart);
    if (report !== undefined && JSON.stringify(run.report) !== JSON.stringify(report)) throw new Error(`run ${i + 1} reported different figures: the virtual clock is not deterministic`);
    report = run.report;
    if (v.stats.completed !== report.requests) throw new Error(`app counted ${v.stats.completed} requests, runner ${report.requests}`);
  }
  const vWallMs = [...walls].sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  const vRate = report!.requests / (vWallMs / 1000);
  console.log('virtual clock');
  console.log(`  requests             ${fmt(report!.requests)} per run (origin queries ${fmt(report!.origin.queries)}, ${report!.boundaries.length} boundaries), identical in all ${RUNS} runs`);
  console.log(`  wall                 ${walls.map((w) => `${fmt(w)} ms`).join(', ')} (first run includes JIT warm-up); median ${fmt(vWallMs)} ms`);
  console.log(`  simulated req/s      ${fmt(vRate)} per wall second (median run)\n`);

  // 2. The identical scenario driven by fake-timers, capped.
  const f = naiveApp();
  const driver = fakeTimersDriver(FAKE_TIMERS_CAP_MS);
  const fStart = performance.now();
  let fReport: RunReport | undefined;
  let cappedAt: number | undefined;
  try {
    fReport = (await runScenario(spec, f.factory, { driver })).report;
  } catch (e) {
    if (!(e instanceof Capped)) throw e;
    cappedAt = e.virtualMs;
  }
  const fWallMs = performance.now() - fStart;
  const fRequests = fReport?.requests ?? f.stats.completed;
  const fRate = fRequests / (fWallMs / 1000);
  console.log('@sinonjs/fake-timers');
  if (cappedAt !== undefined) {
    console.log(
      `  CAPPED after ${fmt(fWallMs)} ms of wall time, at virtual t=${(cappedAt / 1000).toFixed(1)} s of ${spec.durationMs / 1000} s ` +
        `(${((100 * cappedAt) / spec.durationMs).toFixed(1)}%); rated on the requests completed so far`,
    );
  }
  console.log(`  requests             ${fmt(fRequests)}${cappedAt !== undefined ? ' (completed before the cap, counted by the app)' : ''}`);
  console.log(`  wall                 ${fmt(fWallMs)} ms`);
  console.log(`  simulated req/s      ${fmt(fRate)} per wall second`);

  // Same simulation? Completion times must agree request by request (a prefix, if capped).
  let same = f.stats.times.length <= v.stats.times.length;
  for (let i = 0; same && i < f.stats.times.length; i++) same = f.stats.times[i] === v.stats.times[i];
  if (fReport !== undefined) same &&= JSON.stringify(fReport) === JSON.stringify(report);
  console.log(
    `  same simulation      ${same ? 'yes' : 'NO'}: ${fmt(f.stats.times.length)} completion times ${same ? 'match' : 'differ from'} the virtual-clock run` +
      (fReport !== undefined ? `, reports ${same ? 'identical' : 'differ'}` : ''),
  );

  const ratio = vRate / fRate;
  console.log(`\nratio (virtual clock median req/s / fake-timers req/s): ${ratio.toFixed(1)}x${cappedAt !== undefined ? ' (fake-timers capped)' : ''}`);
  console.log('targets');
  console.log(`  run <= 2 s (median)   ${fmt(vWallMs)} ms   ${verdict(vWallMs <= TARGET_WALL_MS)}`);
  console.log(`  >= 3x fake-timers     ${ratio.toFixed(1)}x      ${verdict(ratio >= TARGET_RATIO)}`);
}

await main();

/**
 * Proof that the vocabulary is enough for modules 09-13: each course scenario, run with a naive
 * learner part and a fixed one (both defined here), shows the failure and the fix. Figures are
 * printed so the numbers in the docs are measured, not estimated.
 */
import { describe, expect, it } from 'vitest';
import { detectWaves, meanOver } from './figures.js';
import { runResilience } from './run.js';
import type { ResilienceSpec } from './spec.js';
import type { AdmissionFactory, PolicyFactory } from './types.js';

const perSec = (series: readonly number[], fromMs: number, toMs: number): number => Math.round(meanOver(series, 100, fromMs, toMs) * 10);

/** Retries anything but ok, up to `max` attempts, sleeping `delay(attempt)` between them. */
const retrying =
  (max: number, delay: (attempt: number, rng: { next(): number }) => number = () => 0): PolicyFactory =>
  ({ clock, rng }) =>
  async (call) => {
    let r = await call();
    for (let a = 1; a < max && r.status !== 'ok'; a++) {
      const ms = delay(a, rng);
      if (ms > 0) await clock.sleep(ms);
      r = await call();
    }
    return r;
  };

describe('load shedding (module 10)', () => {
  const capacity = 1000; // 10 workers x 10 ms
  const spec = (load: number): ResilienceSpec => ({
    name: `overload-${load}x`,
    seed: 7,
    durationMs: 20_000,
    nodes: [{ id: 'api', workers: 10, serviceTime: { kind: 'fixed', ms: 10 } }],
    clients: [
      { name: 'users', kind: 'open', rate: [{ fromMs: 0, toMs: 20_000, ratePerSec: capacity * load }], timeoutMs: 1000 },
      // Critical traffic (think health checks) that admission control must never shed.
      { name: 'probes', kind: 'open', rate: [{ fromMs: 0, toMs: 20_000, ratePerSec: 10 }], timeoutMs: 1000, priorities: { critical: 1 } },
    ],
  });
  /** Sheds once the oldest queued request has waited 100 ms; critical traffic is exempt. */
  const queueWait: AdmissionFactory = () => (req, node) => ({ admit: req.priority === 'critical' || node.oldestQueuedWaitMs < 100, retryAfterMs: 1000 });

  it('without admission control goodput collapses while throughput stays high; with it goodput stays near capacity', async () => {
    const rows: string[] = [];
    for (const load of [1, 2, 3]) {
      const plain = (await runResilience(spec(load))).report;
      const shed = (await runResilience(spec(load), { admission: queueWait })).report;
      const g = (r: typeof plain): number => perSec(r.series.goodput, 5000, 20_000);
      rows.push(`${load}x: goodput/s ${g(plain)} without, ${g(shed)} with admission; throughput/s ${perSec(plain.series.throughput, 5000, 20_000)} without`);
      expect(g(shed)).toBeGreaterThanOrEqual(0.9 * capacity);
      expect(shed.byPriority.critical.goodput).toBe(shed.byPriority.critical.offered);
      if (load === 1) {
        expect(g(plain)).toBeGreaterThanOrEqual(0.9 * capacity);
      } else {
        // Every request waits in the queue past its caller's timeout: the node is busy with work nobody wants.
        expect(g(plain)).toBeLessThan(0.05 * capacity);
        expect(perSec(plain.series.throughput, 5000, 20_000)).toBeGreaterThanOrEqual(0.99 * capacity);
        expect(plain.totals.wasted).toBeGreaterThan(0.9 * plain.totals.completed);
        expect(shed.totals.wasted).toBe(0);
        expect(shed.totals.rejected).toBeGreaterThan(0);
      }
    }
    console.log(`load shedding:\n  ${rows.join('\n  ')}`);
  });
});

describe('metastable failure (module 12)', () => {
  // 80% load on a node of 1000/s; capacity halves from 10 s to 20 s.
  const spec = (trigger: 'capacity' | 'slow'): ResilienceSpec => ({
    name: `metastable-${trigger}`,
    seed: 3,
    durationMs: 60_000,
    nodes: [{ id: 'api', workers: 10, serviceTime: { kind: 'exponential', meanMs: 10 }, maxQueue: 500 }],
    clients: { kind: 'open', rate: [{ fromMs: 0, toMs: 60_000, ratePerSec: 800 }], arrivals: 'poisson', timeoutMs: 300, clients: 100 },
    faults: [{ fromMs: 10_000, toMs: 20_000, target: 'api', kind: trigger, factor: trigger === 'capacity' ? 0.5 : 2 }],
  });
  /** A retry budget shared by every client: retries may add at most 10% to the load. */
  const budgeted = (): PolicyFactory => {
    let tokens = 10;
    return () => async (call) => {
      tokens = Math.min(10, tokens + 0.1);
      let r = await call();
      while (r.status !== 'ok' && tokens >= 1) {
        tokens--;
        r = await call();
      }
      return r;
    };
  };

  it('with immediate retries goodput stays near zero long after the trigger; without, or with a budget, it recovers in seconds', async () => {
    const rows: string[] = [];
    for (const trigger of ['capacity', 'slow'] as const) {
      const none = (await runResilience(spec(trigger))).report;
      const retries = (await runResilience(spec(trigger), { policy: retrying(3) })).report;
      const budget = (await runResilience(spec(trigger), { policy: budgeted() })).report;
      const after = (r: typeof none): number => perSec(r.series.goodput, 40_000, 60_000);
      const offered = perSec(none.series.offered, 40_000, 60_000);
      rows.push(
        `${trigger}: goodput/s 20-40 s after the trigger ${after(retries)} with 3 immediate attempts (amplification ${retries.totals.amplification.toFixed(2)}), ` +
          `${after(none)} with none (recovered in ${none.faults[0]!.recoveryMs} ms), ${after(budget)} with a 10% budget (recovered in ${budget.faults[0]!.recoveryMs} ms); offered ${offered}/s`,
      );
      expect(after(retries)).toBeLessThan(0.1 * offered);
      expect(retries.faults[0]!.recoveryMs).toBeNull();
      for (const healed of [none, budget]) {
        expect(after(healed)).toBeGreaterThan(0.9 * offered);
        expect(healed.faults[0]!.recoveryMs).not.toBeNull();
        expect(healed.faults[0]!.recoveryMs!).toBeLessThan(5000);
      }
    }
    console.log(`metastable:\n  ${rows.join('\n  ')}`);
  });
});

describe('cascading failure (module 11)', () => {
  // 5 nodes of 1000/s at 84% fleet load; n0 dies silently at 10 s.
  const spec = (healthCheck: 'queued' | 'out-of-band', panicThresholdPct: number): ResilienceSpec => ({
    name: `cascade-${healthCheck}`,
    seed: 5,
    durationMs: 40_000,
    nodes: [{ workers: 10, serviceTime: { kind: 'exponential', meanMs: 10 }, count: 5, healthCheck, downMode: 'silent' }],
    balancer: { routing: 'round-robin', healthCheck: { intervalMs: 1000, timeoutMs: 250, unhealthyThreshold: 2, healthyThreshold: 3 }, panicThresholdPct },
    clients: { kind: 'open', rate: [{ fromMs: 0, toMs: 40_000, ratePerSec: 4200 }], arrivals: 'poisson', timeoutMs: 1000 },
    faults: [{ fromMs: 10_000, toMs: 40_000, target: 'n0', kind: 'down' }],
  });

  it('health checks behind the queue eject the survivors one by one; out-of-band checks with a panic threshold eject only the dead node', async () => {
    const queued = (await runResilience(spec('queued', 0))).report;
    const healthyLost = queued.balancer.events.filter((e) => e.event === 'ejected' && !e.faulted);
    const firstEjections = [...new Set(healthyLost.map((e) => e.node))];
    expect(firstEjections).toHaveLength(4);
    expect(queued.balancer.collapseAtMs).not.toBeNull();
    const collapseAfter = queued.balancer.collapseAtMs! - 10_000;
    expect(collapseAfter).toBeGreaterThan(0);
    // One by one: the survivors are not all ejected at the same check.
    expect(new Set(healthyLost.slice(0, 4).map((e) => e.t)).size).toBeGreaterThan(1);

    const oob = (await runResilience(spec('out-of-band', 50))).report;
    expect(oob.balancer.events.filter((e) => e.event === 'ejected' && !e.faulted)).toEqual([]);
    expect(oob.balancer.events.filter((e) => e.event === 'ejected').map((e) => e.node)).toEqual(['n0']);
    expect(oob.balancer.minHealthy).toBe(4);
    console.log(
      `cascade: queued health checks lost ${firstEjections.length} healthy nodes (${healthyLost
        .slice(0, 4)
        .map((e) => `${e.node}@${e.t / 1000}s`)
        .join(', ')}), none left ${collapseAfter} ms after the fault; out-of-band + panic 50%: ${oob.balancer.minHealthy} healthy at worst`,
    );
  });
});

describe('retry waves (module 09)', () => {
  // 10,000 clients send at once (t = 1.0-1.1 s) into a node that is down until 11 s.
  const spec: ResilienceSpec = {
    name: 'retry-waves',
    seed: 9,
    durationMs: 20_000,
    nodes: [{ id: 'api', workers: 200, serviceTime: { kind: 'fixed', ms: 10 } }],
    clients: { kind: 'open', clients: 10_000, rate: [{ fromMs: 1000, toMs: 1100, ratePerSec: 100_000 }], timeoutMs: 1000 },
    faults: [{ fromMs: 0, toMs: 11_000, target: 'api', kind: 'down', mode: 'fail-fast' }],
  };
  const base = 100;
  const cap = 1000;

  // Once every client has reached the cap, until the node comes back.
  const waves = (r: { series: { attempts: number[] } }) => detectWaves(r.series.attempts, 100, 4000, 11_000);

  it('exponential backoff without jitter retries in synchronised waves', async () => {
    const { report } = await runResilience(spec, { policy: retrying(50, (a) => Math.min(cap, base * 2 ** a)) });
    const w = waves(report);
    console.log(`retry waves without jitter: peak/mean per 100 ms ${w.ratio.toFixed(2)}, ${w.waves} waves, ${report.totals.attempts} attempts`);
    expect(w.ratio).toBeGreaterThan(5);
    expect(w.waves).toBeGreaterThanOrEqual(6);
    expect(report.totals.ok).toBe(10_000);
  });

  it('full jitter spreads the same retries out: the busiest bin is within 2x the mean', async () => {
    const { report } = await runResilience(spec, { policy: retrying(50, (a, rng) => rng.next() * Math.min(cap, base * 2 ** a)) });
    const w = waves(report);
    console.log(`retry waves with full jitter: peak/mean per 100 ms ${w.ratio.toFixed(2)}, ${w.waves} waves, ${report.totals.attempts} attempts`);
    expect(w.ratio).toBeLessThan(2);
    expect(w.waves).toBe(0);
    expect(report.totals.ok).toBe(10_000);
  });
});

describe('circuit breaker (module 13)', () => {
  // A node that hangs (answers nothing) from 5 s to 10 s; callers give up after 200 ms.
  const spec: ResilienceSpec = {
    name: 'breaker',
    seed: 4,
    durationMs: 15_000,
    nodes: [{ id: 'api', workers: 20, serviceTime: { kind: 'exponential', meanMs: 10 } }],
    clients: { kind: 'open', rate: [{ fromMs: 0, toMs: 15_000, ratePerSec: 1000 }], arrivals: 'poisson', timeoutMs: 200, clients: 50 },
    faults: [{ fromMs: 5000, toMs: 10_000, target: 'api', kind: 'down', mode: 'silent' }],
  };
  /** One breaker shared by every client: opens after 20 failures in a row, probes once every 500 ms. */
  const breaker = (): PolicyFactory => {
    let failures = 0;
    let openUntil = -Infinity;
    let probing = false;
    return ({ clock }) =>
      async (call, ctx) => {
        const now = clock.now();
        if (now < openUntil || (failures >= 20 && probing)) return ctx.reject(openUntil - now);
        if (failures >= 20) probing = true;
        const r = await call();
        probing = false;
        if (r.status === 'ok') failures = 0;
        else if (++failures >= 20) openUntil = clock.now() + 500;
        return r;
      };
  };

  it('fails fast while the dependency hangs and closes again soon after it heals', async () => {
    const plain = (await runResilience(spec)).report;
    const broken = (await runResilience(spec, { policy: breaker() })).report;
    const during = (r: typeof plain) => perSec(r.series.attempts, 5000, 10_000);
    console.log(
      `circuit breaker: attempts/s during the outage ${during(plain)} without, ${during(broken)} with (${broken.totals.localAnswers} answered locally); ` +
        `recovery ${plain.faults[0]!.recoveryMs} ms without, ${broken.faults[0]!.recoveryMs} ms with`,
    );
    expect(during(broken)).toBeLessThan(0.05 * during(plain));
    expect(broken.totals.localAnswers).toBeGreaterThan(4000);
    expect(broken.faults[0]!.recoveryMs).not.toBeNull();
    expect(broken.faults[0]!.recoveryMs!).toBeLessThan(1500);
    expect(perSec(broken.series.goodput, 11_000, 15_000)).toBeGreaterThan(950);
  });
});

import { describe, expect, it } from 'vitest';
import { isHerdError } from './errors.js';
import { createOrigin, type OriginOptions, type OriginValue } from './origin.js';
import { createRng } from './rng.js';
import { VirtualClock } from './virtual-clock.js';

function setup(options: OriginOptions, seed = 1) {
  const clock = new VirtualClock();
  const origin = createOrigin(clock, createRng(seed), options);
  return { clock, origin, db: origin.forInstance('i0') };
}

/** Settles a promise into a value or its error, stamped with the clock time it settled. */
function settle<T>(clock: VirtualClock, p: Promise<T>): Promise<{ at: number; value?: T; error?: unknown }> {
  return p.then(
    (value) => ({ at: clock.now(), value }),
    (error: unknown) => ({ at: clock.now(), error }),
  );
}

describe('SlowOrigin', () => {
  it('answers after exactly latencyMs without jitter', async () => {
    const { clock, origin, db } = setup({ latencyMs: 100 });
    const v = await clock.run(db.fetch('k'));
    expect(clock.now()).toBe(100);
    expect(v).toEqual({ key: 'k', version: 1, builtAt: 100, by: 'i0' });
    expect(origin.log).toEqual([{ t: 0, key: 'k', instance: 'i0', durationMs: 100, queuedMs: 0, outcome: 'ok' }]);
  });

  it('adds a seeded integer jitter in [0, jitterMs]', async () => {
    const durations = async (seed: number): Promise<number[]> => {
      const { clock, origin, db } = setup({ latencyMs: 100, jitterMs: 20 }, seed);
      await clock.run(
        (async () => {
          for (let i = 0; i < 300; i++) await db.fetch('k');
        })(),
      );
      return origin.log.map((q) => q.durationMs);
    };
    const d = await durations(3);
    expect(d).toHaveLength(300);
    for (const x of d) {
      expect(Number.isInteger(x)).toBe(true);
      expect(x).toBeGreaterThanOrEqual(100);
      expect(x).toBeLessThanOrEqual(120);
    }
    expect(Math.min(...d)).toBe(100);
    expect(Math.max(...d)).toBe(120);
    expect(await durations(3)).toEqual(d);
    expect(await durations(4)).not.toEqual(d);
  });

  it('serves at most `capacity` at once and queues the rest in arrival order', async () => {
    const { clock, origin, db } = setup({ latencyMs: 100, capacity: 2 });
    const results = await clock.run(Promise.all(Array.from({ length: 6 }, (_, i) => settle(clock, db.fetch(`k${i}`)))));
    expect(results.map((r) => r.at)).toEqual([100, 100, 200, 200, 300, 300]);
    expect(results.map((r) => (r.value as OriginValue).key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
    expect(origin.log.map((q) => q.queuedMs)).toEqual([0, 0, 100, 100, 200, 200]);
    expect(origin.log.map((q) => q.durationMs)).toEqual([100, 100, 200, 200, 300, 300]);
    expect(origin.peakInService).toBe(2);
    expect(origin.peakQueued).toBe(4);
  });

  it('refuses a query with ORIGIN_OVERLOADED when the queue is full', async () => {
    const { clock, origin, db } = setup({ latencyMs: 100, capacity: 1, maxQueue: 1 });
    const results = await clock.run(Promise.all([0, 1, 2].map((i) => settle(clock, db.fetch(`k${i}`)))));
    expect(isHerdError(results[2]!.error, 'ORIGIN_OVERLOADED')).toBe(true);
    expect(results[2]!.at).toBe(0);
    expect(results.map((r) => r.at)).toEqual([100, 200, 0]);
    expect(origin.log.map((q) => q.outcome)).toEqual(['ok', 'ok', 'overloaded']);
  });

  it('times out a slow query with ORIGIN_TIMEOUT, but the query keeps its slot until the database finishes', async () => {
    const { clock, origin, db } = setup({ latencyMs: 500, capacity: 1, timeoutMs: 700 });
    const results = await clock.run(Promise.all([settle(clock, db.fetch('a')), settle(clock, db.fetch('b'))]));
    // a: served 0..500, fine. b: queued until 500, would answer at 1000 > 700: times out at 700.
    expect(results[0]!.at).toBe(500);
    expect(results[0]!.value).not.toBeNull();
    expect(results[1]!.at).toBe(700);
    expect(isHerdError(results[1]!.error, 'ORIGIN_TIMEOUT')).toBe(true);
    expect((results[1]!.error as Error).message).toContain('"b"');
    expect(origin.log[1]).toMatchObject({ outcome: 'timeout', durationMs: 700, queuedMs: 500 });

    // A third query arriving after the timeout still waits for b's slot (freed at 1000), so it
    // would answer at 1500 and times out itself at 700 + 700.
    const c = await clock.run(settle(clock, db.fetch('c')));
    expect(origin.log[2]).toMatchObject({ t: 700, queuedMs: 300, outcome: 'timeout', durationMs: 700 });
    expect(c.at).toBe(1400);
    expect(origin.peakInService).toBe(1);
  });

  it('hands the slot of a query that timed out while queued straight to the next one', async () => {
    const { clock, origin, db } = setup({ latencyMs: 300, capacity: 1, timeoutMs: 1000 });
    const main = (async () => {
      const a = settle(clock, db.fetch('a')); // served 0..300
      const b = settle(clock, db.fetch('b')); // queued; would start at 300
      await clock.sleep(50);
      const c = settle(clock, db.fetch('c')); // queued behind b
      return Promise.all([a, b, c]);
    })();
    const [a, b, c] = await clock.run(main);
    expect(a.at).toBe(300);
    expect(b.at).toBe(600);
    expect(c.at).toBe(900);
    expect(origin.log.map((q) => q.queuedMs)).toEqual([0, 300, 550]);

    // Now with a timeout short enough that b gives up while still queued.
    const s = setup({ latencyMs: 300, capacity: 1, timeoutMs: 200 });
    const main2 = (async () => {
      const a2 = settle(s.clock, s.db.fetch('a')); // times out at 200, slot held to 300
      const b2 = settle(s.clock, s.db.fetch('b')); // times out at 200 while queued
      await s.clock.sleep(250);
      const c2 = settle(s.clock, s.db.fetch('c')); // gets the slot at 300 (b is skipped)
      return Promise.all([a2, b2, c2]);
    })();
    const [, b2, c2] = await s.clock.run(main2);
    expect(isHerdError(b2.error, 'ORIGIN_TIMEOUT')).toBe(true);
    expect(s.origin.log[1]).toMatchObject({ outcome: 'timeout', queuedMs: 0, durationMs: 200 });
    expect(s.origin.log[2]).toMatchObject({ queuedMs: 50 });
    expect(isHerdError(c2.error, 'ORIGIN_TIMEOUT')).toBe(true);
    expect(c2.at).toBe(450);
    expect(s.origin.peakInService).toBe(1);
  });

  it('failNext(n) fails exactly the next n queries with ORIGIN_ERROR after their service time', async () => {
    const { clock, origin, db } = setup({ latencyMs: 100 });
    origin.failNext(2);
    const results = await clock.run(Promise.all([0, 1, 2].map(() => settle(clock, db.fetch('k')))));
    expect(results.map((r) => r.at)).toEqual([100, 100, 100]);
    expect(isHerdError(results[0]!.error, 'ORIGIN_ERROR')).toBe(true);
    expect(isHerdError(results[1]!.error, 'ORIGIN_ERROR')).toBe(true);
    expect(results[2]!.value).toMatchObject({ key: 'k', version: 3 });
    expect(origin.log.map((q) => q.outcome)).toEqual(['error', 'error', 'ok']);
    const later = await clock.run(settle(clock, db.fetch('k')));
    expect(later.error).toBeUndefined();
  });

  it('setDown(true) fails every query until setDown(false)', async () => {
    const { clock, origin, db } = setup({ latencyMs: 10 });
    origin.setDown(true);
    const down = await clock.run(Promise.all([0, 1, 2, 3].map(() => settle(clock, db.fetch('k')))));
    expect(down.every((r) => isHerdError(r.error, 'ORIGIN_ERROR'))).toBe(true);
    origin.setDown(false);
    const up = await clock.run(settle(clock, db.fetch('k')));
    expect(up.value).toMatchObject({ version: 5 });
  });

  it('injects errorRate failures reproducibly from the seed', async () => {
    const outcomes = async (seed: number): Promise<string[]> => {
      const { clock, origin, db } = setup({ latencyMs: 10, jitterMs: 5, errorRate: 0.3 }, seed);
      await clock.run(Promise.all(Array.from({ length: 300 }, (_, i) => settle(clock, db.fetch(`k${i % 7}`)))));
      return origin.log.map((q) => q.outcome);
    };
    const a = await outcomes(21);
    const errors = a.filter((o) => o === 'error').length;
    expect(errors).toBeGreaterThan(60);
    expect(errors).toBeLessThan(120);
    expect(a.filter((o) => o === 'ok').length).toBe(300 - errors);
    expect(await outcomes(21)).toEqual(a);
    expect(await outcomes(22)).not.toEqual(a);
  });

  it('resolves absent keys to null at the same cost', async () => {
    const { clock, origin, db } = setup({ latencyMs: 80, absent: (k) => k.startsWith('missing') });
    const [gone, there] = await clock.run(Promise.all([settle(clock, db.fetch('missing:1')), settle(clock, db.fetch('user:1'))]));
    expect(gone).toEqual({ at: 80, value: null });
    expect(there!.value).not.toBeNull();
    expect(origin.log.map((q) => q.outcome)).toEqual(['absent', 'ok']);
  });

  it('counts versions per key in arrival order', async () => {
    const { clock, db } = setup({ latencyMs: 10 });
    const keys = ['a', 'a', 'b', 'a', 'b', 'c'];
    const values = await clock.run(Promise.all(keys.map((k) => db.fetch(k))));
    expect(values.map((v) => `${v!.key}${v!.version}`)).toEqual(['a1', 'a2', 'b1', 'a3', 'b2', 'c1']);
  });

  it('logs every query under the instance that made it', async () => {
    const clock = new VirtualClock();
    const origin = createOrigin(clock, createRng(1), { latencyMs: 10 });
    const i0 = origin.forInstance('i0');
    const i1 = origin.forInstance('i1');
    const main = (async () => {
      await i0.fetch('x');
      await clock.sleep(5);
      const v = await i1.fetch('x');
      await i1.fetch('y');
      return v;
    })();
    const v = await clock.run(main);
    expect(v).toEqual({ key: 'x', version: 2, builtAt: 25, by: 'i1' });
    expect(origin.queries).toBe(3);
    expect(origin.log.map((q) => [q.t, q.instance, q.key])).toEqual([
      [0, 'i0', 'x'],
      [15, 'i1', 'x'],
      [25, 'i1', 'y'],
    ]);
  });
});

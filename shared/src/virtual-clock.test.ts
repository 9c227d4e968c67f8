import { describe, expect, it } from 'vitest';
import { isHerdError } from './errors.js';
import { VirtualClock, createVirtualClock } from './virtual-clock.js';

describe('VirtualClock', () => {
  it('starts at 0 and wakes sleepers in time order, with now() equal to each wake time', async () => {
    const clock = createVirtualClock();
    expect(clock.now()).toBe(0);
    const woke: Array<[string, number]> = [];
    const sleeper = async (name: string, ms: number): Promise<void> => {
      await clock.sleep(ms);
      woke.push([name, clock.now()]);
    };
    const main = Promise.all([sleeper('c', 300), sleeper('a', 100), sleeper('d', 250.5), sleeper('b', 200)]);
    await clock.run(main);
    expect(woke).toEqual([
      ['a', 100],
      ['b', 200],
      ['d', 250.5],
      ['c', 300],
    ]);
    expect(clock.now()).toBe(300);
  });

  it('fires wake-ups due at the same instant in the order they were scheduled', async () => {
    const clock = new VirtualClock();
    const order: number[] = [];
    for (let i = 0; i < 20; i++) clock.schedule(i % 2 === 0 ? 50 : 40, () => order.push(i));
    expect(clock.scheduled).toBe(20);
    await clock.run(clock.sleep(60));
    expect(order).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(clock.scheduled).toBe(0);
  });

  it('sleep(ms) relative to a later now(): chained sleeps add up', async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    const main = (async () => {
      for (let i = 0; i < 5; i++) {
        await clock.sleep(7);
        seen.push(clock.now());
      }
      return 'done';
    })();
    await expect(clock.run(main)).resolves.toBe('done');
    expect(seen).toEqual([7, 14, 21, 28, 35]);
  });

  it('lets every promise continuation run before time moves', async () => {
    const clock = new VirtualClock();
    const seen: Array<[string, number]> = [];
    const main = (async () => {
      const slow = (async () => {
        await clock.sleep(10);
        for (let i = 0; i < 50; i++) await Promise.resolve();
        seen.push(['deep continuation', clock.now()]);
      })();
      const other = (async () => {
        await clock.sleep(11);
        seen.push(['next wake-up', clock.now()]);
      })();
      await Promise.all([slow, other]);
    })();
    await clock.run(main);
    expect(seen).toEqual([
      ['deep continuation', 10],
      ['next wake-up', 11],
    ]);
  });

  it("runs a continuation queued behind someone else's nextTick (a stream callback) before time moves", async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    const main = (async () => {
      await clock.sleep(10);
      await new Promise<void>((resolve) => process.nextTick(resolve));
      seen.push(clock.now());
      await clock.sleep(10);
      seen.push(clock.now());
    })();
    const other = clock.sleep(15).then(() => void seen.push(-clock.now()));
    await clock.run(Promise.all([main, other]));
    expect(seen).toEqual([10, -15, 20]);
  });

  it('treats negative and NaN delays as zero', async () => {
    const clock = new VirtualClock();
    const at: number[] = [];
    const main = (async () => {
      await clock.sleep(5);
      clock.schedule(-10, () => at.push(clock.now()));
      clock.schedule(NaN, () => at.push(clock.now()));
      await clock.sleep(0);
    })();
    await clock.run(main);
    expect(at).toEqual([5, 5]);
  });

  it("resolves with main's value, even when main is already settled", async () => {
    const clock = new VirtualClock();
    await expect(clock.run(Promise.resolve(42))).resolves.toBe(42);
    await expect(clock.run(clock.sleep(1_000_000_000).then(() => clock.now()))).resolves.toBe(1_000_000_000);
  });

  it("rejects with main's error", async () => {
    const clock = new VirtualClock();
    const boom = new Error('boom');
    const main = clock.sleep(30).then(() => {
      throw boom;
    });
    await expect(clock.run(main)).rejects.toBe(boom);
    expect(clock.now()).toBe(30);
  });

  it('rejects with the error a scheduled callback throws', async () => {
    const clock = new VirtualClock();
    clock.schedule(5, () => {
      throw new Error('callback failed');
    });
    await expect(clock.run(clock.sleep(10))).rejects.toThrow('callback failed');
  });

  it('reports HANG, naming the pending call, when main never settles and nothing is scheduled', async () => {
    const clock = new VirtualClock();
    const main = (async () => {
      await clock.sleep(25);
      await new Promise<void>(() => {});
    })();
    const err = await clock.run(main, { describePending: () => 'i3\'s get("user:7")' }).catch((e: unknown) => e);
    expect(isHerdError(err, 'HANG')).toBe(true);
    expect((err as Error).message).toContain('i3\'s get("user:7")');
    expect((err as Error).message).toContain('never settled');
    expect(clock.now()).toBe(25);
  });

  it('says "the run" in a HANG when describePending has nothing to say', async () => {
    const clock = new VirtualClock();
    const err = await clock.run(new Promise(() => {}), { describePending: () => undefined }).catch((e: unknown) => e);
    expect(isHerdError(err, 'HANG')).toBe(true);
    expect((err as Error).message).toMatch(/^the run never settled/);
  });

  it('reports STUCK once the next wake-up is past the deadline, for a loop that keeps sleeping', async () => {
    const clock = new VirtualClock();
    let wakes = 0;
    const main = (async () => {
      for (;;) {
        await clock.sleep(100);
        wakes++;
      }
    })();
    const err = await clock.run(main, { deadline: 2_000, describePending: () => 'the retry loop' }).catch((e: unknown) => e);
    expect(isHerdError(err, 'STUCK')).toBe(true);
    expect((err as Error).message).toContain('the retry loop');
    expect((err as Error).message).toContain('t=2.0s');
    // The wake-up at exactly the deadline still fires; the one after it does not.
    expect(wakes).toBe(20);
    expect(clock.now()).toBe(2_000);
  });

  it('reports STUCK, not a spin, for a loop that sleeps 0 ms forever (time can never reach the deadline)', async () => {
    const clock = new VirtualClock();
    let spins = 0;
    const main = (async () => {
      await clock.sleep(1_500);
      for (;;) {
        await clock.sleep(0);
        spins++;
      }
    })();
    const err = await clock.run(main, { deadline: 60_000, describePending: () => 'the poll loop' }).catch((e: unknown) => e);
    expect(isHerdError(err, 'STUCK'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/^the poll loop was still pending at t=1\.500s, where something rescheduled itself 100,000 times without letting virtual time pass/);
    expect(spins).toBeGreaterThanOrEqual(100_000);
    expect(spins).toBeLessThan(100_010);
  });

  it('allows a long chain of zero delays that ends (a burst of sleep(0) hand-offs is not stuck)', async () => {
    const clock = new VirtualClock();
    const main = (async () => {
      for (let i = 0; i < 50_000; i++) await clock.sleep(0);
      await clock.sleep(10);
      for (let i = 0; i < 50_000; i++) await clock.sleep(0);
      return clock.now();
    })();
    expect(await clock.run(main)).toBe(10);
  });

  it('is a ClockDriver of itself', () => {
    const clock = new VirtualClock();
    expect(clock.clock).toBe(clock);
  });
});

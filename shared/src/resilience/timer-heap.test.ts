import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../virtual-clock.js';
import { TimerHeap } from './timer-heap.js';

describe('TimerHeap', () => {
  it('fires due timers at their time, in order, skipping settled ones, with one clock wake-up at a time', async () => {
    const clock = new VirtualClock();
    const heap = new TimerHeap(clock);
    const fired: Array<[string, number]> = [];
    const timer = (name: string, at: number, settled = false) => ({ at, settled, fire: () => fired.push([name, clock.now()]) });
    heap.add(timer('a', 100));
    heap.add(timer('b', 100));
    heap.add(timer('gone', 150, true));
    heap.add(timer('c', 300));
    heap.add(timer('early', 50)); // out of order: goes to the heap, supersedes the wake-up at 100
    await clock.run(clock.sleep(1000));
    expect(fired).toEqual([
      ['early', 50],
      ['a', 100],
      ['b', 100],
      ['c', 300],
    ]);
    expect(clock.scheduled).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { CapacityQueue } from './capacity-queue.js';

describe('CapacityQueue', () => {
  const make = (options: { capacity?: number; maxQueue?: number; discipline?: 'fifo' | 'lifo' }, decline = new Set<number>()) => {
    const started: number[] = [];
    const q = new CapacityQueue<number>({ ...options, start: (n) => (decline.has(n) ? false : void started.push(n)) });
    return { q, started };
  };

  it('starts up to capacity, queues the rest, refuses beyond maxQueue', () => {
    const { q, started } = make({ capacity: 2, maxQueue: 2 });
    expect([1, 2, 3, 4, 5].map((n) => q.offer(n))).toEqual(['started', 'started', 'queued', 'queued', 'full']);
    expect(started).toEqual([1, 2]);
    expect(q.oldest()).toBe(3);
    q.release();
    expect(started).toEqual([1, 2, 3]);
    expect([q.inService, q.queued, q.peakInService, q.peakQueued]).toEqual([2, 1, 2, 2]);
  });

  it('hands a freed slot to the newest item with lifo, the oldest with fifo', () => {
    for (const discipline of ['fifo', 'lifo'] as const) {
      const { q, started } = make({ capacity: 1, discipline });
      for (let n = 1; n <= 4; n++) q.offer(n);
      q.release();
      q.release();
      q.release();
      expect(started).toEqual(discipline === 'fifo' ? [1, 2, 3, 4] : [1, 4, 3, 2]);
    }
  });

  it('skips items that decline their slot', () => {
    const { q, started } = make({ capacity: 1 }, new Set([2, 3]));
    for (let n = 1; n <= 4; n++) q.offer(n);
    q.release();
    expect(started).toEqual([1, 4]);
    expect(q.inService).toBe(1);
  });

  it('starts waiting items when capacity grows, and none while it is below inService', () => {
    const { q, started } = make({ capacity: 1 });
    for (let n = 1; n <= 5; n++) q.offer(n);
    q.capacity = 3;
    expect(started).toEqual([1, 2, 3]);
    q.capacity = 1;
    q.release();
    q.release();
    expect(started).toEqual([1, 2, 3]);
    q.release();
    expect(started).toEqual([1, 2, 3, 4]);
    expect(q.drain()).toEqual([5]);
  });

  it('grows its ring buffer past its first size in both disciplines', () => {
    for (const discipline of ['fifo', 'lifo'] as const) {
      const { q, started } = make({ capacity: 1, discipline });
      for (let n = 0; n < 100; n++) q.offer(n);
      for (let n = 0; n < 99; n++) q.release();
      expect(started).toEqual(discipline === 'fifo' ? Array.from({ length: 100 }, (_, i) => i) : [0, ...Array.from({ length: 99 }, (_, i) => 99 - i)]);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { MinHeap } from './min-heap.js';
import { createRng } from './rng.js';

describe('MinHeap', () => {
  it('is empty at first: size 0, peek and pop give undefined', () => {
    const h = new MinHeap();
    expect(h.size).toBe(0);
    expect(h.peek()).toBeUndefined();
    expect(h.pop()).toBeUndefined();
  });

  it('pops in ascending order, keeping duplicates', () => {
    const h = new MinHeap();
    for (const v of [5, 3, 8, 3, 1, 9, 0, 5, 2.5]) h.push(v);
    expect(h.size).toBe(9);
    expect(h.peek()).toBe(0);
    const out: number[] = [];
    while (h.size > 0) out.push(h.pop()!);
    expect(out).toEqual([0, 1, 2.5, 3, 3, 5, 5, 8, 9]);
    expect(h.pop()).toBeUndefined();
  });

  it('matches a sorted array under random interleaved pushes and pops', () => {
    const rng = createRng(7);
    const h = new MinHeap();
    const model: number[] = [];
    for (let i = 0; i < 5000; i++) {
      if (model.length === 0 || rng.chance(0.6)) {
        const v = rng.int(0, 200);
        h.push(v);
        model.push(v);
        model.sort((a, b) => a - b);
      } else {
        expect(h.pop()).toBe(model.shift());
      }
      expect(h.size).toBe(model.length);
      expect(h.peek()).toBe(model[0]);
    }
  });
});

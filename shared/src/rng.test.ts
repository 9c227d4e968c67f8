import { describe, expect, it } from 'vitest';
import { createRng } from './rng.js';

const take = (n: number, f: () => number): number[] => Array.from({ length: n }, f);

describe('createRng', () => {
  it('replays the same sequence for the same seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    expect(take(100, a.next)).toEqual(take(100, b.next));
    expect(a.seed).toBe(42);
  });

  it('gives a different sequence for a different seed', () => {
    expect(take(10, createRng(1).next)).not.toEqual(take(10, createRng(2).next));
  });

  it('next() stays in [0, 1)', () => {
    const r = createRng(3);
    for (let i = 0; i < 10_000; i++) {
      const v = r.next();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });

  it('int(lo, hi) is inclusive at both ends and reaches both', () => {
    const r = createRng(5);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.int(3, 7);
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(7);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
    expect(r.int(4, 4)).toBe(4);
  });

  it('between, chance, exponential and pick behave', () => {
    const r = createRng(11);
    for (let i = 0; i < 1000; i++) {
      const v = r.between(10, 20);
      expect(v).toBeGreaterThanOrEqual(10);
      expect(v).toBeLessThan(20);
    }
    expect(take(100, () => (r.chance(0) ? 1 : 0)).every((x) => x === 0)).toBe(true);
    expect(take(100, () => (r.chance(1) ? 1 : 0)).every((x) => x === 1)).toBe(true);
    const hits = take(10_000, () => (r.chance(0.3) ? 1 : 0)).reduce((a, b) => a + b, 0);
    expect(hits).toBeGreaterThan(2700);
    expect(hits).toBeLessThan(3300);
    const exp = take(20_000, () => r.exponential(50));
    expect(exp.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
    const mean = exp.reduce((a, b) => a + b, 0) / exp.length;
    expect(mean).toBeGreaterThan(45);
    expect(mean).toBeLessThan(55);
    const items = ['a', 'b', 'c'] as const;
    const picked = new Set(take(200, () => items.indexOf(r.pick(items))));
    expect([...picked].sort()).toEqual([0, 1, 2]);
  });

  it('forks are deterministic per label and differ between labels', () => {
    const root = createRng(9);
    expect(take(20, root.fork('x').next)).toEqual(take(20, createRng(9).fork('x').next));
    expect(take(20, root.fork('x').next)).not.toEqual(take(20, root.fork('y').next));
    expect(take(20, createRng(9).fork('x').next)).not.toEqual(take(20, createRng(10).fork('x').next));
  });

  it('consuming one fork (or the parent) does not shift another fork', () => {
    const fresh = take(50, createRng(77).fork('b').next);
    const root = createRng(77);
    const a = root.fork('a');
    take(1000, a.next);
    take(1000, root.next);
    const b = root.fork('b');
    take(500, a.next);
    expect(take(50, b.next)).toEqual(fresh);
  });
});

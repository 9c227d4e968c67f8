/**
 * Seeded randomness. Every random choice in a run (keys, think times, jitter, the learner's own
 * jitter) comes from a stream derived from the scenario seed, so a seed replays a run exactly.
 * `fork(label)` derives an independent stream: adding a consumer never shifts another's numbers,
 * which is what keeps the load identical between a starter and a reference.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number;
  /** Uniform real in [lo, hi). */
  between(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number;
  pick<T>(items: readonly T[]): T;
  fork(label: string): Rng;
  readonly seed: number;
}

function hash32(text: string, seed: number): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * mulberry32: small, fast, and good enough for simulation. Methods live on the prototype, so the
 * load generator's 10,000 per-client streams share one call target (closures per stream made
 * every call site megamorphic and cost twice as much).
 */
class Mulberry32 implements Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  between(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  exponential(mean: number): number {
    // 1 - next() is in (0, 1], so the log is finite.
    return -Math.log(1 - this.next()) * mean;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  fork(label: string): Rng {
    return new Mulberry32(hash32(label, this.seed));
  }
}

/**
 * A seeded stream whose methods also work detached (`const { int } = rng`), as learner code may
 * use them. Same numbers as the harness's internal streams.
 */
export function createRng(seed: number): Rng {
  const s = new Mulberry32(seed);
  return {
    seed,
    next: () => s.next(),
    int: (lo, hi) => s.int(lo, hi),
    between: (lo, hi) => s.between(lo, hi),
    chance: (p) => s.chance(p),
    exponential: (mean) => s.exponential(mean),
    pick: (items) => s.pick(items),
    fork: (label) => createRng(hash32(label, seed)),
  };
}

/**
 * Internal: the stream `rng.fork(label)` would give, as a prototype-method object for the
 * harness's own hot paths (one per load client). Not for learner code: its methods need `this`.
 */
export function forkStream(rng: Rng, label: string): Rng {
  return new Mulberry32(hash32(label, rng.seed));
}

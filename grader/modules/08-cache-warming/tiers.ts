/**
 * The two cache tiers of module 08, the grader's side: the old tier, warm, serving live traffic
 * until the cutover, and the new tier, cold, that the learner warms. Each read and write takes a
 * round trip on the run's clock; the grader can also look at a tier without one (`has`), for
 * figures measured from outside.
 */
import type { Clock, OriginValue, Rng } from '@herd/harness/engine';

/** A tier's round trip, ms. */
export const ROUND_TRIP_MS = 1;

interface Entry {
  value: OriginValue;
  expiresAt: number;
}

/** One bad write the tier refused to store, for the checks' messages. */
export interface BadWrite {
  at: number;
  key: string;
  what: string;
}

export class GraderTier {
  private readonly entries = new Map<string, Entry>();
  /** Writes that were no value of their key (an error, null, another key's value), or a TTL that is no TTL. */
  readonly badWrites: BadWrite[] = [];
  /** The shortest TTL a write asked for, ms. */
  shortestTtlMs = Infinity;

  constructor(private readonly clock: Clock) {}

  /** True when the tier holds a live value for `key` (no round trip: the grader's look). */
  has(key: string): boolean {
    const e = this.entries.get(key);
    return e !== undefined && e.expiresAt > this.clock.now();
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<OriginValue | null> {
    await this.clock.sleep(ROUND_TRIP_MS);
    return this.read(key);
  }

  /**
   * A read without the round trip: the grader's live path, where the tier's latency is the same
   * for every run compared and half the run's events would go to it.
   */
  read(key: string): OriginValue | null {
    const e = this.entries.get(key);
    if (e === undefined) return null;
    if (e.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return null;
    }
    return e.value;
  }

  async set(key: string, value: OriginValue, ttlMs: number): Promise<void> {
    await this.clock.sleep(ROUND_TRIP_MS);
    this.put(key, value, ttlMs);
  }

  /** Stores at once; a write that is not `key`'s own value is recorded and not stored. */
  put(key: string, value: unknown, ttlMs: number): void {
    const v = value as { key?: unknown; version?: unknown } | null | undefined;
    if (v === null || typeof v !== 'object' || v.key !== key || typeof v.version !== 'number') {
      const what = v === null ? 'null' : value instanceof Error ? `an error (${value.message})` : typeof v === 'object' && typeof v.key === 'string' ? `"${v.key}"'s value` : `a ${typeof value}`;
      this.badWrites.push({ at: this.clock.now(), key, what });
      return;
    }
    if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) {
      this.badWrites.push({ at: this.clock.now(), key, what: `a TTL of ${ttlMs} ms` });
      return;
    }
    if (ttlMs < this.shortestTtlMs) this.shortestTtlMs = ttlMs;
    this.entries.set(key, { value: value as OriginValue, expiresAt: this.clock.now() + ttlMs });
  }

  /**
   * A tier that has served for a while: every key's value built at a seeded time in the last
   * TTL, so values expire over the TTL as they would in a steady state.
   */
  static warmed(clock: Clock, rng: Rng, keys: readonly string[], ttlMs: number): GraderTier {
    const tier = new GraderTier(clock);
    const now = clock.now();
    for (const key of keys) {
      const builtAt = now - rng.next() * ttlMs;
      tier.entries.set(key, { value: Object.freeze({ key, version: 0, builtAt, by: 'old-tier' }), expiresAt: builtAt + ttlMs });
    }
    return tier;
  }
}

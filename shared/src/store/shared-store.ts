/**
 * The shared store a fleet coordinates through (module 03 on): the same small interface over a
 * real Redis (ioredis) and an embedded in-process store whose keys expire on the harness clock.
 * Every key is stored under the store's `prefix`; learner code passes bare names and can never
 * reach a key outside it.
 */
export interface SharedStore {
  readonly kind: 'embedded' | 'redis';
  /** Every key this store touches is `prefix + name` (per run, always under `herd:`). */
  readonly prefix: string;

  /** GET: the value, or null when absent or expired. */
  get(name: string): Promise<string | null>;
  /** SET name value PX pxMs. */
  set(name: string, value: string, pxMs: number): Promise<void>;
  /** DEL: how many keys were deleted (0 or 1). */
  del(name: string): Promise<number>;
  /** PTTL: ms left; -1 without expiry; -2 when absent. */
  pttl(name: string): Promise<number>;

  /** Lock acquire: SET name token NX PX pxMs. True when this call took the lock. */
  acquire(name: string, token: string, pxMs: number): Promise<boolean>;
  /** Lock release: deletes `name` only while it still holds `token` (compare-and-delete). */
  release(name: string, token: string): Promise<boolean>;
  /** INCR on a counter: the next fencing token for `name` (1, 2, 3, ...). */
  nextFence(name: string): Promise<number>;
  /**
   * Fenced write: stores value under `name` (PX pxMs) only if `fence` is not older than the last
   * fence accepted for `name`; records `fence` as the newest accepted. False when rejected.
   */
  setFenced(name: string, value: string, fence: number, pxMs: number): Promise<boolean>;

  /** Deletes every key under this store's prefix (SCAN + DEL; never FLUSHDB). Returns the count. */
  cleanup(): Promise<number>;
  /** Closes connections (Redis); a no-op for the embedded store. */
  close(): Promise<void>;
}

/** Every key the workshop writes starts with this. */
export const WORKSHOP_PREFIX = 'herd:';

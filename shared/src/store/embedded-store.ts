/**
 * The embedded shared store: one in-process Map that answers every SharedStore command the way a
 * single Redis server would, with keys expiring against the injected clock. No timers and no real
 * time: each call settles at once, so a fleet run on the virtual clock stays deterministic.
 *
 * Expiry follows Redis's own arithmetic in whole milliseconds: a key set at `now` with PX p lives
 * while floor(clock) <= floor(now) + p, and PTTL is that difference (0 in its last millisecond).
 */
import type { Clock } from '../clock.js';
import type { SharedStore } from './shared-store.js';
import { WORKSHOP_PREFIX } from './shared-store.js';
import { acceptedFenceName, checkFence, checkPrefix, checkPx, fenceCounterName } from './store-keys.js';

export interface EmbeddedStoreOptions {
  /** Defaults to `herd:embedded:<n>:`, distinct for every store created in the process. */
  prefix?: string;
}

interface Entry {
  value: string;
  /** Last whole millisecond the key is alive; undefined for no expiry (INCR counters, fences). */
  expiresAt: number | undefined;
}

/** Makes the default prefixes distinct, so keys of two stores never look alike in logs or dumps. */
let storeCount = 0;

export function createEmbeddedStore(clock: Clock, options: EmbeddedStoreOptions = {}): SharedStore {
  const prefix = checkPrefix(options.prefix ?? `${WORKSHOP_PREFIX}embedded:${++storeCount}:`);
  // Holds full keys (prefix + name), so the keyspace matches what the Redis store would hold.
  const keys = new Map<string, Entry>();

  const ms = (): number => Math.floor(clock.now());

  /** The live entry under a full key; an expired one is dropped on sight, as Redis does lazily. */
  const live = (key: string): Entry | undefined => {
    const e = keys.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt !== undefined && ms() > e.expiresAt) {
      keys.delete(key);
      return undefined;
    }
    return e;
  };

  const write = (key: string, value: string, pxMs: number | undefined): void => {
    keys.set(key, { value, expiresAt: pxMs === undefined ? undefined : ms() + pxMs });
  };

  return {
    kind: 'embedded',
    prefix,

    async get(name) {
      return live(prefix + name)?.value ?? null;
    },

    async set(name, value, pxMs) {
      checkPx('set', name, pxMs);
      write(prefix + name, value, pxMs);
    },

    async del(name) {
      const key = prefix + name;
      if (live(key) === undefined) return 0;
      keys.delete(key);
      return 1;
    },

    async pttl(name) {
      const e = live(prefix + name);
      if (e === undefined) return -2;
      if (e.expiresAt === undefined) return -1;
      return e.expiresAt - ms();
    },

    async acquire(name, token, pxMs) {
      checkPx('acquire', name, pxMs);
      const key = prefix + name;
      if (live(key) !== undefined) return false;
      write(key, token, pxMs);
      return true;
    },

    async release(name, token) {
      const key = prefix + name;
      if (live(key)?.value !== token) return false;
      keys.delete(key);
      return true;
    },

    async nextFence(name) {
      const key = prefix + fenceCounterName(name);
      const e = live(key);
      const current = e === undefined ? 0 : Number(e.value);
      if (e !== undefined && !(/^-?\d+$/.test(e.value) && Number.isSafeInteger(current))) {
        throw new Error(`nextFence('${name}'): ERR value is not an integer or out of range`);
      }
      // INCR keeps the key's TTL, if it has one.
      keys.set(key, { value: String(current + 1), expiresAt: e?.expiresAt });
      return current + 1;
    },

    async setFenced(name, value, fence, pxMs) {
      checkPx('setFenced', name, pxMs);
      checkFence(name, fence);
      const acceptedKey = prefix + acceptedFenceName(name);
      const last = live(acceptedKey);
      if (last !== undefined && fence < Number(last.value)) return false;
      write(prefix + name, value, pxMs);
      write(acceptedKey, String(fence), undefined);
      return true;
    },

    async cleanup() {
      let n = 0;
      for (const key of [...keys.keys()]) {
        if (live(key) !== undefined) n++;
        keys.delete(key);
      }
      return n;
    },

    // Nothing to close: the interface makes this a no-op, and later calls still work.
    async close() {},
  };
}

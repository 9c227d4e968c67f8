/**
 * One suite of SharedStore behaviour, run unchanged against every implementation, so the
 * embedded store cannot drift from what Redis does. Timings suit real time on a loaded machine:
 * "still there" is asserted only with PX 2000, "gone" only well after PX 100 has run out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../clock.js';
import type { SharedStore } from './shared-store.js';
import { WORKSHOP_PREFIX } from './shared-store.js';

export interface StoreFixture {
  store: SharedStore;
  /** Lets `ms` of the store's time pass: a manual clock step (embedded) or a real wait (Redis). */
  advance(ms: number): Promise<void>;
}

/** A Clock that moves only when told: `advance(ms)` steps time and wakes the sleepers now due. */
export interface ManualClock extends Clock {
  advance(ms: number): Promise<void>;
}

export function createManualClock(): ManualClock {
  let t = 0;
  let sleepers: Array<{ at: number; wake: () => void }> = [];
  return {
    now: () => t,
    sleep: (ms) => new Promise<void>((wake) => sleepers.push({ at: t + Math.max(0, ms), wake })),
    async advance(ms) {
      t += ms;
      const due = sleepers.filter((s) => s.at <= t);
      sleepers = sleepers.filter((s) => s.at > t);
      for (const s of due) s.wake();
    },
  };
}

const SHORT = 100; // a PX that has surely run out after advance(GONE)
const GONE = 250;
const LONG = 2000; // a PX that surely has not run out after advance(GONE)

export function defineStoreContract(label: string, open: () => Promise<StoreFixture>): void {
  describe(`SharedStore contract: ${label}`, () => {
    const opened: SharedStore[] = [];
    const fixture = async (): Promise<StoreFixture> => {
      const f = await open();
      opened.push(f.store);
      return f;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) {
        await s.cleanup();
        await s.close();
      }
    });

    it('keeps every key under a per-store prefix in herd:', async () => {
      const { store } = await fixture();
      expect(store.prefix.startsWith(WORKSHOP_PREFIX)).toBe(true);
      expect(store.prefix.length).toBeGreaterThan(WORKSHOP_PREFIX.length);
    });

    it('GET/SET: null when absent, the value once set, replaced by a later SET', async () => {
      const { store } = await fixture();
      expect(await store.get('k')).toBeNull();
      await store.set('k', 'v1', LONG);
      expect(await store.get('k')).toBe('v1');
      await store.set('k', 'v2', LONG);
      expect(await store.get('k')).toBe('v2');
    });

    it('SET PX: a key is gone once its PX has run out, a longer one is not', async () => {
      const { store, advance } = await fixture();
      await store.set('short', 's', SHORT);
      await store.set('long', 'l', LONG);
      await advance(GONE);
      expect(await store.get('short')).toBeNull();
      expect(await store.get('long')).toBe('l');
    });

    it('PTTL: -2 when absent or expired, -1 without expiry, else whole ms left', async () => {
      const { store, advance } = await fixture();
      expect(await store.pttl('k')).toBe(-2);
      await store.set('k', 'v', LONG);
      const left = await store.pttl('k');
      expect(Number.isInteger(left)).toBe(true);
      expect(left).toBeGreaterThan(LONG / 2);
      expect(left).toBeLessThanOrEqual(LONG);
      // The fence counter is a plain INCR key: no expiry, and named `<name>:fence` in every store.
      await store.nextFence('f');
      expect(await store.pttl('f:fence')).toBe(-1);
      await store.set('s', 'v', SHORT);
      await advance(GONE);
      expect(await store.pttl('s')).toBe(-2);
    });

    it('DEL: 1 for a live key, 0 when absent or already expired', async () => {
      const { store, advance } = await fixture();
      await store.set('k', 'v', LONG);
      expect(await store.del('k')).toBe(1);
      expect(await store.get('k')).toBeNull();
      expect(await store.del('k')).toBe(0);
      await store.set('s', 'v', SHORT);
      await advance(GONE);
      expect(await store.del('s')).toBe(0);
    });

    it('refuses a PX that Redis would reject (zero, negative, fractional)', async () => {
      const { store } = await fixture();
      for (const px of [0, -5, 1.5, Number.NaN]) {
        await expect(store.set('k', 'v', px)).rejects.toThrow(RangeError);
        await expect(store.acquire('k', 't', px)).rejects.toThrow(/PX must be a positive whole number/);
        await expect(store.setFenced('k', 'v', 1, px)).rejects.toThrow(RangeError);
      }
      expect(await store.get('k')).toBeNull();
    });

    it('acquire: SET NX PX takes a free lock once; a second acquire fails until it expires', async () => {
      const { store, advance } = await fixture();
      expect(await store.acquire('lock', 'a', SHORT)).toBe(true);
      expect(await store.acquire('lock', 'b', SHORT)).toBe(false);
      expect(await store.acquire('lock', 'a', SHORT)).toBe(false); // not re-entrant either
      expect(await store.get('lock')).toBe('a');
      await advance(GONE);
      expect(await store.acquire('lock', 'b', LONG)).toBe(true);
      expect(await store.get('lock')).toBe('b');
    });

    it('release: only the holder deletes the lock; anyone else deletes nothing', async () => {
      const { store } = await fixture();
      expect(await store.release('lock', 'a')).toBe(false); // nothing to release
      await store.acquire('lock', 'a', LONG);
      expect(await store.release('lock', 'b')).toBe(false);
      expect(await store.get('lock')).toBe('a');
      expect(await store.pttl('lock')).toBeGreaterThan(0);
      expect(await store.release('lock', 'a')).toBe(true);
      expect(await store.get('lock')).toBeNull();
      expect(await store.release('lock', 'a')).toBe(false);
    });

    it('release: a holder whose lock expired and was retaken cannot delete the new holder’s lock', async () => {
      const { store, advance } = await fixture();
      await store.acquire('lock', 'a', SHORT);
      await advance(GONE);
      await store.acquire('lock', 'b', LONG);
      expect(await store.release('lock', 'a')).toBe(false);
      expect(await store.get('lock')).toBe('b');
    });

    it('nextFence: 1, 2, 3 per name; names are independent; the value under the name is untouched', async () => {
      const { store } = await fixture();
      await store.set('x', 'value', LONG);
      expect([await store.nextFence('x'), await store.nextFence('x'), await store.nextFence('x')]).toEqual([1, 2, 3]);
      expect(await store.nextFence('y')).toBe(1);
      expect(await store.nextFence('x')).toBe(4);
      expect(await store.get('x')).toBe('value');
    });

    it('setFenced: accepts an equal or newer fence, rejects an older one and keeps the value', async () => {
      const { store } = await fixture();
      expect(await store.setFenced('k', 'v5', 5, LONG)).toBe(true);
      expect(await store.get('k')).toBe('v5');
      expect(await store.setFenced('k', 'v5b', 5, LONG)).toBe(true);
      expect(await store.get('k')).toBe('v5b');
      expect(await store.setFenced('k', 'v7', 7, LONG)).toBe(true);
      expect(await store.setFenced('k', 'v6', 6, LONG)).toBe(false);
      expect(await store.get('k')).toBe('v7');
      const left = await store.pttl('k');
      expect(left).toBeGreaterThan(LONG / 2);
      expect(await store.setFenced('other', 'o1', 1, LONG)).toBe(true); // fences are per name
    });

    it('setFenced: the value expires with its PX, but the accepted fence is remembered', async () => {
      const { store, advance } = await fixture();
      expect(await store.setFenced('k', 'v3', 3, SHORT)).toBe(true);
      await advance(GONE);
      expect(await store.get('k')).toBeNull();
      expect(await store.setFenced('k', 'stale', 2, LONG)).toBe(false);
      expect(await store.get('k')).toBeNull();
      expect(await store.setFenced('k', 'v4', 4, LONG)).toBe(true);
    });

    it('cleanup: deletes every key the store wrote, counts them, and leaves the store usable', async () => {
      const { store } = await fixture();
      await store.set('a', '1', LONG);
      await store.acquire('lock', 't', LONG);
      await store.nextFence('lock');
      await store.setFenced('k', 'v', 1, LONG);
      // a, lock, lock:fence, k, k:fence:accepted
      expect(await store.cleanup()).toBe(5);
      for (const name of ['a', 'lock', 'lock:fence', 'k', 'k:fence:accepted']) {
        expect(await store.pttl(name)).toBe(-2);
      }
      expect(await store.nextFence('lock')).toBe(1);
      expect(await store.setFenced('k', 'old', 0, LONG)).toBe(true);
      expect(await store.cleanup()).toBe(3);
      expect(await store.cleanup()).toBe(0);
    });

    it('two stores never see or clean up each other’s keys', async () => {
      const one = (await fixture()).store;
      const two = (await fixture()).store;
      expect(one.prefix).not.toBe(two.prefix);
      await one.set('k', 'one', LONG);
      await two.set('k', 'two', LONG);
      expect(await one.get('k')).toBe('one');
      expect(await one.cleanup()).toBe(1);
      expect(await two.get('k')).toBe('two');
    });
  });
}

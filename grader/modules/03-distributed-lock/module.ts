/** Module 03, distributed lock: one rebuild per key for the whole fleet, fenced. */
import { cacheDemo } from '../../src/cache/demo.js';
import { cacheHeadline } from '../../src/cache/headline.js';
import { defineModule } from '../../src/define.js';
import { fleetHotKey } from '../../src/scenarios.js';
import { app } from './app.js';
import { WAITERS_LOCK, checks } from './checks.js';
import { LOCK } from './scenarios.js';
import { demoProcesses } from './process-demo.js';

const simulated = cacheDemo(fleetHotKey);

export default defineModule({
  id: '03-distributed-lock',
  title: 'distributed lock',
  summary: 'per fleet: rebuild lock in Redis, compare-and-delete, fencing tokens',
  files: { 'locked-cache.ts': ['createLockedCache'] },
  compareWith: '02-single-flight',
  hints: [
    'Inside your single flight, try store.acquire(`lock:${key}`, token, lock.pxMs) (SET NX PX) with a token only this call knows (deps.instance plus deps.rng.int). The winner rebuilds; everyone else waits for the value to appear in the store.',
    'Waiting is a loop: sleep on deps.clock (pause * (0.5 + rng.next())), then store.get(key). Let the pause grow a little each time (x1.5) but cap it at 4 x pollMs: the crashed-holder check allows no more than 4 x pollMs x 1.5 between two polls. Stop when the value is there; if the lock is gone (store.pttl is -2) and there is still no value, its holder crashed: try to acquire again. After lock.maxWaitMs (one deadline for the whole wait, from its first acquire attempt), throw new HerdError(\'LOCK_WAIT_TIMEOUT\', ...).',
    'The holder: fence = await store.nextFence(key) BEFORE the rebuild (a counter in the store, never a clock: clocks of two hosts disagree), then origin.fetch, then store.setFenced(key, JSON.stringify(value), fence, deps.ttlMs). Release with store.release(lock, token) in a finally, so a rebuild that throws frees the lock too.',
    'After you win the lock, read the store once more: another instance may have written the value between your miss and your acquire. Push clock.now() - start into an array kept inside createLockedCache, once per wait however it ends (the value, a take-over, or a timeout: push before you throw), and return a copy from lockWaits(). A cached null is a value: test for a missing entry, not a falsy one.',
  ],
  checks: [
    {
      name: 'one rebuild fleet-wide',
      target: '1 origin query per boundary, 4 instances',
      value: 1,
      run: checks['one rebuild fleet-wide']!,
      starterFails: /the fleet sent 4 queries to the origin .* want 1/,
    },
    {
      name: 'one waiter per instance',
      target: "lock commands per instance per boundary: one waiter's",
      run: checks['one waiter per instance']!,
      starterFails: /no lock was ever taken/,
    },
    {
      name: 'crashed holder',
      target: '1 query after the lock expires; wait <= PX + rebuild',
      run: checks['crashed holder']!,
      starterFails: /sent 4 queries to the origin \(4 of them while the crashed holder's lock was still alive\), want 1/,
    },
    { name: 'slow holder fenced', target: "expired holder's late write refused", run: checks['slow holder fenced']!, starterFails: /store ends with version 1 .* want version 2/ },
    { name: 'release by non-holder', target: 'only the holder releases, once per acquire', run: checks['release by non-holder']!, starterFails: /no lock was ever taken/ },
    {
      name: 'failed rebuild releases',
      target: 'a failed holder frees its own lock, at once',
      run: checks['failed rebuild releases']!,
      starterFails: /no lock was ever taken/,
    },
    {
      name: 'waiters give up',
      target: `LOCK_WAIT_TIMEOUT at maxWaitMs (${WAITERS_LOCK.maxWaitMs} ms)`,
      run: checks['waiters give up']!,
      starterFails: /requests did not wait for the lock holder/,
    },
    {
      name: 'lock wait measured',
      target: `lockWaits() = the harness's waits; p99 <= PX (${LOCK.pxMs} ms)`,
      value: LOCK.pxMs,
      run: checks['lock wait measured']!,
      starterFails: /no lock waits recorded/,
    },
    {
      name: 'real Redis: one rebuild fleet-wide',
      target: '1 query per burst on Redis, real time',
      seeds: 'once',
      realTime: true,
      run: checks['real Redis: one rebuild fleet-wide']!,
      starterFails: /on Redis, burst at .* the fleet sent 4 queries .* want 1/,
    },
  ],
  app,
  headline: cacheHeadline('03-distributed-lock', fleetHotKey, app),
  demoOptions: { values: ['processes'], usage: 'pnpm demo 03 --processes N: the fleet as N real processes on one Redis' },
  demo: (ctx) => (ctx.values.has('processes') ? demoProcesses(ctx) : simulated(ctx)),
});

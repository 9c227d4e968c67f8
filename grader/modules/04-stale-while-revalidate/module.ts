/** Module 04, stale-while-revalidate: serve the old value while one refresh runs for the fleet. */
import { defineModule } from '../../src/define.js';
import { app } from './app.js';
import { HIT_BOUND, checks } from './checks.js';
import { demoSwr } from './demo.js';
import { swrHeadline } from './headline.js';
import { KEYS, OUTAGE, SWR } from './scenarios.js';

const outage = `${(OUTAGE.toMs - OUTAGE.fromMs) / 1000} s`;

export default defineModule({
  id: '04-stale-while-revalidate',
  title: 'stale-while-revalidate',
  summary: 'wait time: soft/hard TTL, one background refresh, stale-if-error',
  files: { 'swr-cache.ts': ['createSwrCache'] },
  compareWith: '03-distributed-lock',
  hints: [
    'Three cases in get(): nothing in the store (return deps.coldFill(key): it waits for the one rebuild, as in 03); a fresh entry (return entry.value); a stale entry (clock.now() >= entry.freshUntil: return entry.value too, and start a refresh without awaiting it). Write every entry with PX swr.hardTtlMs: the store then forgets it at the hard expiry by itself.',
    'The refresh runs once for the whole fleet: store.acquire(`refresh:${key}`, token, swr.claimMs) with a token only this call knows (deps.instance plus deps.rng.int). Lost the claim? Do nothing: someone else is refreshing, and your caller already has the stale value. Start it as `void refresh(key).catch(() => undefined)`: a rejection nobody handles fails the check it happens in.',
    'With the claim: read the entry again (another instance may have refreshed it between your read and your claim; if it is fresh now, stop), then take a fence, const fence = await store.nextFence(key), before the fetch, then origin.fetch, then store.setFenced(key, JSON.stringify({ value, freshUntil: clock.now() + swr.softTtlMs }), fence, swr.hardTtlMs), then store.release(claim, token). The write must be fenced: a refresh slower than claimMs loses its claim to a newer refresher, and its late write would put the older value back over the newer one; setFenced refuses it. A Set of keys this instance is refreshing saves a store round trip per stale read (clear it on failure too).',
    'When the fetch throws: the stale entry is still in the store, so callers keep getting it. The fleet\'s next attempt must come swr.retryMs after the failure: not on the next read (a dead origin gets one attempt per read), not when the claim expires (claimMs later). Keep the claim and cut it to retryMs, but only while it is still yours: a refresh that outlived its claim has lost it to a newer refresher, and a plain store.set(claim, token, retryMs) would cut theirs short and let a third refresh start beside it. Fence the claim like the entry: right after winning it, claimFence = await store.nextFence(claim) and store.setFenced(claim, token, claimFence, swr.claimMs); on failure, store.setFenced(claim, token, claimFence, swr.retryMs), refused once someone newer holds it. Or keep the pace in its own key: store.set(`backoff:${key}`, token, swr.retryMs), release the claim, and check the backoff key under the claim before fetching.',
  ],
  checks: [
    {
      name: 'no wait at soft expiry',
      target: `every request at a soft expiry within ${HIT_BOUND} ms (3 store trips)`,
      value: HIT_BOUND,
      run: checks['no wait at soft expiry']!,
      starterFails: /at a soft expiry, took \d+ ms .* want every request within 12 ms/,
    },
    {
      name: 'one refresh per window',
      target: '1 origin query per soft expiry, fleet-wide, every window, slow origin too',
      value: 1,
      run: checks['one refresh per window']!,
      starterFails: /the fleet sent \d+ queries to the origin .* want 1: one refresh/,
    },
    {
      name: 'each key its own refresh',
      target: `${KEYS.length} keys stale together: each refresh starts within 100 ms`,
      run: checks['each key its own refresh']!,
      starterFails: /sent \d+ queries to the origin for it .* want 1: one refresh per key/,
    },
    {
      name: 'staleness bounded',
      target: `stale served at once; nothing older than the hard TTL (${SWR.hardTtlMs / 1000} s)`,
      seeds: 'once',
      run: checks['staleness bounded']!,
      starterFails: /after the soft expiry .* took \d+ ms and got version 2, want version 1 \(the stale value\) at once/,
    },
    {
      name: 'stale-if-error',
      target: `origin down ${outage}: 0 failed, next attempt ${SWR.retryMs} ms after each failure, then normal`,
      seeds: 'once',
      run: checks['stale-if-error']!,
      starterFails: /requests failed while the origin was down .* want 0/,
    },
    { name: 'cold start', target: '1 origin query for an empty cache, waits <= 1000 ms', run: checks['cold start']!, starterFails: /cold start at .* the fleet sent \d+ queries .* want 1/ },
    {
      name: 'failed refresh frees the claim',
      target: 'next attempt retryMs after a failure (not claimMs), then 1 per window',
      seeds: 'once',
      run: checks['failed refresh frees the claim']!,
      starterFails: /reads? failed after the refresh at .* failed/,
    },
    {
      name: 'late write refused',
      target: 'a refresh that outlived its claim never puts an older value back',
      seeds: 'once',
      run: checks['late write refused']!,
      starterFails: /got version \d+, want nothing older once a newer value was served/,
    },
    {
      name: 'late failure leaves the claim',
      target: "a refresh that outlived its claim and failed: no cut to the new holder's claim",
      seeds: 'once',
      run: checks['late failure leaves the claim']!,
      starterFails: /refresh began at .* while .* was still running .* want no second refresh under a live claim/,
    },
    {
      name: 'real Redis: one refresh per window',
      target: '1 query per window on Redis, real time',
      seeds: 'once',
      realTime: true,
      run: checks['real Redis: one refresh per window']!,
      starterFails: /on Redis, window at .* the fleet sent \d+ queries .* want 1/,
    },
  ],
  app,
  headline: swrHeadline(),
  demo: demoSwr,
});

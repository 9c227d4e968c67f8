/** Module 01's interview follow-ups and model answers: the README's list and `pnpm drill 01`. */
import { defineInterview, pick } from '../../src/interview/define.js';

export default defineInterview({
  width: 100,
  questions: [
    {
      id: 'cpu-every-5-minutes',
      q: 'Your database CPU spikes every 5 minutes, on the dot. What do you look at first, and what would confirm a stampede rather than a cron job?',
      a: 'Look for a 5-minute TTL on a hot key and line the spikes up with cache misses. A stampede shows as a burst of identical queries (same statement, same key) from many app instances within one rebuild time of each other, right when the miss rate jumps; a cron job is one client, one schedule, and shows no cache miss at all. Confirm by changing the TTL on one key: a stampede moves with it, a cron job does not.',
      yours: (m) => {
        const g = pick(m('herd reproduced'), /(\d+) boundaries, herd ([\d,]+)-([\d,]+)/);
        return g && `Your run of 01 measured ${g[0]} boundaries with a herd of ${g[1]} to ${g[2]} origin queries each, every one a miss: the same-statement burst the answer tells you to look for.`;
      },
    },
    {
      id: 'raise-ttl-to-an-hour',
      q: 'A teammate proposes raising the TTL from 60 s to 1 hour to fix it. What does that change, and what does it not change?',
      a: 'It makes the herd 60 times rarer and serves data up to an hour old. It does not make the herd any smaller: at the boundary every request that arrives during the rebuild still misses, so the burst is as tall as before (rate times rebuild time), and after a deploy or a flush every key is cold at once. The fix bounds the burst (coalescing, a lock, early refresh); the TTL only chooses how stale you can be.',
    },
    {
      id: 'estimate-the-herd',
      q: 'Estimate the herd for a key read 2,000 times a second whose rebuild takes 150 ms. Now the database is at capacity and the rebuild takes 600 ms. What happens?',
      a: 'Herd is about rate times rebuild time: 2,000/s x 0.15 s = 300 concurrent queries for one key. At 600 ms it is 1,200, and those extra queries load the database further, so the rebuild slows again and the herd grows: a feedback loop. The database can stay saturated past the boundary, other keys miss their rebuilds too, and latency climbs until timeouts turn into retries.',
      yours: (m) => {
        const g = pick(m('prediction'), /predicted\/measured ([\d.]+)\/(\d+)/);
        return g && `Your predictHerd said ${g[0]} where your run measured ${g[1]} at the first setting the grader tried: rate x rebuild, rounded up, held for every setting it measured.`;
      },
    },
    {
      id: 'queries-equal-misses',
      q: 'Why are origin queries at the boundary equal to misses in this cache, and what number would you alert on in production to catch a stampede?',
      a: 'Naive cache-aside sends every miss to the origin and nothing remembers that a rebuild is already running, so each miss is one query. In production alert on origin queries per key per second (or the miss-to-hit ratio of your hottest keys) against its baseline, and on database concurrency; a spike of identical queries in one rebuild window is the signature. Overall hit rate hides it: 300 misses out of a million reads is still a 99.97% hit rate.',
    },
    {
      id: 'p99-moves-p50-does-not',
      q: 'Why does p99 move at a boundary while p50 barely changes?',
      a: 'Only the requests that arrive during the rebuild wait, and they are a small share of all requests: one rebuild time out of every TTL. Those requests wait for a slow, overloaded origin, so they are the tail. p50 is served from the cache and does not see them; p99 (or p99.9) is exactly the boundary.',
      yours: (m) => {
        const g = pick(m('stats agree'), /p99 ([\d,]+) ms/);
        return g && `Your stats() reported a p99 of ${g[0]} ms for the first instance in the timeouts run, where a hit takes about 1 ms.`;
      },
    },
    {
      id: 'reproduce-in-a-load-test',
      q: 'How would you reproduce a stampede in a load test, and why does closed-loop load understate what real traffic does?',
      a: 'Hit one hot key at a steady open-loop arrival rate (requests arrive on a schedule, regardless of responses) with a short TTL, and measure origin queries per boundary and tail latency. A closed-loop load tester has N virtual users that each wait for their response before sending the next: when the origin slows, they send less, so the herd shrinks by itself. Real users keep arriving, so the herd grows with the slowdown.',
    },
  ],
});

/**
 * Module 14's interview follow-ups and model answers: the README's list and `pnpm drill 14`. No
 * answer quotes a saved grade: the checks are real-time, and docs/results.md keeps no figure of theirs.
 */
import { defineInterview } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: 'which-layer-first',
      q: 'Your service has a stampede on one hot key. You may add one layer this week. Which, and what would you measure before and after?',
      a: "Measure origin queries per TTL boundary for that key, fleet-wide, from the origin's side, and the p99 at the boundary. With many processes, single flight alone still leaves one query per process; a lock in the shared cache (or SWR with a shared refresh claim) makes it one. If the p99 at the boundary is the complaint, SWR: nobody waits on the refresh.",
    },
    {
      id: 'library-across-pods',
      q: "A library's getOrSet has stampede protection. Does it hold across 20 pods? How would you find out?",
      a: 'Usually it coalesces within one process only, so 20 pods send 20 rebuilds per boundary; some libraries add a distributed lock or a shared refresh as an option. Find out by measuring: a hot key under load across real processes, origin queries counted at the origin per boundary, as this table does.',
    },
    {
      id: 'order-of-layers',
      q: 'Why does shedding sit at the door and the breaker around Redis, not the other way round?',
      a: "Shedding must refuse before any work is done, including the Redis round trip, or an overloaded service spends its capacity on requests it will drop. The breaker protects the service from one dependency: it wraps the calls to that dependency, so an open breaker fails those at once and the fallback (a stale copy, a bounded number of origin queries) decides what the request gets.",
    },
    {
      id: 'what-the-table-hides',
      q: 'Your table was measured on one machine with four processes. What would change on 50 hosts, and which figure would you watch in production?',
      a: "The per-process layers scale with the process count (single flight: 50 x processes per boundary), the lock's waiters poll the shared store from every host, and network round trips widen each rebuild's window. Watch origin queries per key per boundary and the origin's query rate per second for the sawtooth; alert on its peak over its median.",
    },
    {
      id: 'p99-at-boundary',
      q: 'With the lock, the origin sees one query per boundary, but the p99 got no better. Why?',
      a: 'Every request that arrives during the rebuild still waits for it, polling the store for the holder\'s value: the miss rate of the lock row. Only serving the old value during the rebuild (SWR) or rebuilding before the expiry (XFetch) takes the rebuild off the request path.',
    },
  ],
});

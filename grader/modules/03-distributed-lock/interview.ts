/** Module 03's interview follow-ups and model answers: the README's list and `pnpm drill 03`. */
import { defineInterview, pick } from '../../src/interview/define.js';

export default defineInterview({
  width: 100,
  questions: [
    {
      id: 'single-flight-still-needed',
      q: 'Why do you still need single-flight inside each process once you have a distributed lock?',
      a: 'Without it every concurrent request in a process asks Redis for the lock and then polls: hundreds of lock commands per boundary per instance, a herd moved from the database to Redis. Single-flight makes one waiter per process talk to the lock, and the others wait on that local promise for free.',
      yours: (m) => {
        const g = pick(m('one waiter per instance'), /at worst (\d+) lock commands/);
        return g && `Your run of 03 sent at worst ${g[0]} lock commands per instance per boundary: one waiter's.`;
      },
    },
    {
      id: 'lock-expiry',
      q: 'How do you choose the lock\'s expiry? What goes wrong if it is too short, and too long?',
      a: 'A little above the slow end of the rebuild (its p99, with headroom), measured, not guessed. Too short: the lock expires while the holder still works, a second holder starts a second rebuild, and the first one\'s late write can overwrite the newer value (hence the fencing token). Too long: when the holder crashes, everyone waits the full expiry before anyone may rebuild.',
      yours: (m) => {
        const g = pick(m('crashed holder'), /slowest ([\d,]+) ms \(budget ([\d,]+) ms\)/);
        return g && `In your run a crashed holder cost the slowest waiter ${g[0]} ms against a budget of ${g[1]} ms (the lock's expiry plus one rebuild).`;
      },
    },
    {
      id: 'failover-lost-lock',
      q: 'Your Redis fails over and the replica had not seen the lock yet. What happens, and does it matter for this lock?',
      a: 'Replication is asynchronous, so the new primary has no lock and a second process acquires it: two rebuilds of the same key at once. For a stampede lock that is fine, it is an efficiency lock: the cost is one extra origin query, and the fencing token keeps the older write from winning. It would matter for a lock that protects correctness.',
    },
    {
      id: 'redlock-or-consensus',
      q: 'When would you need Redlock, or a consensus system such as ZooKeeper or etcd, instead?',
      a: 'When two holders at once would be wrong, not just wasteful: money moves, a unique job runs, a leader writes. Then you need a lock whose safety survives failover, ideally from a consensus system with fencing tokens the resource checks. Redlock is debated (it relies on bounded clock drift and pauses); for a cache rebuild, a single Redis SET NX PX is enough.',
    },
    {
      id: 'instead-of-polling',
      q: 'Waiters poll. What would you use instead of polling, and what does it cost?',
      a: 'Pub/sub or keyspace notifications (the holder publishes when the value lands), or a blocking command such as BLPOP on a per-key list. Waiters wake at once and Redis sees no polls, but you now hold a connection per waiter or subscription, must handle a missed message (a holder that crashes never publishes, so keep a timeout and a fallback poll), and the code is harder to get right.',
      yours: (m) => {
        const g = pick(m('lock wait measured'), /p50 ([\d,]+) ms, p99 ([\d,]+) ms/);
        return g && `Your waiters waited p50 ${g[0]} ms, p99 ${g[1]} ms for the lock in the graded run: the polling interval is part of that.`;
      },
    },
    {
      id: 'thousand-keys-one-second',
      q: '1000 keys expire in the same second. What does the lock do for you there, and what does it not?',
      a: 'It keeps each key to one rebuild across the fleet, so the database sees 1,000 queries, not 1,000 herds. It does not spread those 1,000 queries out: they arrive in the same second and can still saturate the database. That is an avalanche; TTL jitter (module 06) or early refresh spreads the expiries.',
    },
  ],
});

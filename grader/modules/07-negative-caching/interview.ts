/** Module 07's interview follow-ups and model answers: the README's list and `pnpm drill 07`. */
import { defineInterview } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: 'negative-ttl',
      q: 'How do you pick the negative TTL? What if product says new items must be visible at once?',
      a: 'Short, because it is how long a newly created item can stay invisible: seconds, not the positive TTL. Pick it from the miss rate you need to absorb and the delay the product accepts. If items must be visible at once, invalidate the negative entry on create (delete it in the write path, and in the shared store for the fleet) rather than shortening the TTL to nothing.',
    },
    {
      id: 'random-ids',
      q: 'An attacker requests random ids. What grows, where, and what bounds it? What does each layer (negative cache, Bloom filter, rate limit) cost and stop?',
      a: 'Without a bound, the negative cache grows by one entry per distinct id, and in a shared store too; with an unbounded LRU shared with positives, it also evicts the real entries. A bounded negative space (entry count) caps memory and protects the positives, but random ids never repeat, so every one still reaches the origin once. A Bloom filter of existing ids answers "absent" without the origin for all but its false-positive rate, at a few bits per real id and the cost of keeping it current. A rate limit per client stops the volume itself. Use all three against a scan.',
    },
    {
      id: 'separate-lru',
      q: 'Why a separate LRU rather than one LRU with a size weight for negative entries?',
      a: 'In one LRU, a scan of absent ids is the most recently used traffic, so it pushes out the hot positive entries whatever the weights: the hit rate of real keys falls exactly when the origin is busiest. A separate, bounded space keeps the positives out of the scan\'s reach, and gives the negatives their own TTL and size bound that are easy to reason about.',
    },
    {
      id: 'nightly-bloom',
      q: 'Your Bloom filter of existing ids is rebuilt nightly. An item created at noon: what happens to its reads until tonight, and how do you fix it?',
      a: 'The filter says the id is absent, so every read is answered "not found" without asking the origin until the rebuild: a false negative, the one thing a Bloom filter in front must never give. Add ids to the filter in the write path as they are created (Bloom filters support adds), and rebuild only to drop deleted ids and reset the false-positive rate.',
    },
    {
      id: 'fleet-copy',
      q: 'In a fleet, instance A caches "not found" at t, B copies it from the store at t + 4 s. When may B stop serving it, and why?',
      a: 'When the store\'s entry expires: B must keep the copy no longer than the entry\'s remaining time (its PTTL), not a full negative TTL from t + 4 s. Otherwise every copy adds another TTL of invisibility, and a chain of copies can hide a created item far longer than the bound.',
    },
    {
      id: 'stale-not-found',
      q: 'The origin is overloaded and refuses queries. Would you ever serve a stale "not found"?',
      a: 'Only deliberately and briefly: an error from the origin is never cached as "not found" (that would hide real items), but an existing negative entry that has just expired could be served a little longer while the origin refuses, as stale-if-error does for values, with the extension bounded and counted. Most systems would rather answer the error than claim an item does not exist.',
    },
  ],
});

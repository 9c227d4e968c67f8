/** Module 04's interview follow-ups and model answers: the README's list and `pnpm drill 04`. */
import { defineInterview, pick } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: 'never-serve-stale',
      q: 'Which keys should not be served stale at all? How would you express that per key?',
      a: 'Data where an old answer is wrong rather than just late: permissions and revoked sessions, prices at checkout, balances, stock counts before a sale, anything a user just wrote and expects to read back. Express it as a per-key or per-type policy: a soft TTL equal to the hard TTL (no stale window), or a flag that makes the read wait for fresh data, plus explicit invalidation on writes.',
    },
    {
      id: 'choose-the-hard-ttl',
      q: 'How do you choose the hard TTL? What does a long one cost you, and what does a short one?',
      a: 'From how old a value the product can tolerate during an outage, and how long you want to ride out the origin being down. A long hard TTL keeps serving through a long outage but can serve very old data and keeps memory; a short one fails over to errors or waits sooner. Soft TTL is freshness in normal times, hard TTL is the outage budget.',
      yours: (m) => {
        const g = pick(m('staleness bounded'), /oldest in the (?:fleet )?outage run ([\d.]+ s) \(hard ([\d.]+ s)\)/);
        return g && `Your run of 04 served nothing older than ${g[0]} during the outage, inside its hard TTL of ${g[1]}.`;
      },
    },
    {
      id: 'refresh-during-shutdown',
      q: 'The background refresh runs in the process that served the stale read. What happens if that process is being shut down? What bounds the damage?',
      a: 'The refresh dies with it, possibly while holding the refresh claim, so no other process refreshes the key and it stays stale. The claim\'s expiry bounds that (another process takes over after it), and the hard TTL bounds how old a value can get. A graceful shutdown should also stop starting refreshes and let in-flight ones finish.',
    },
    {
      id: 'stale-vs-early-refresh',
      q: 'How is this different from refreshing *before* expiry (module 05)? When would you want both?',
      a: 'Stale-while-revalidate refreshes after the soft expiry, triggered by a read, and serves the old value meanwhile; early expiration refreshes probabilistically before expiry, so for a hot key no read ever sees an expired value. Early refresh needs traffic to trigger it and does nothing during an outage; stale-while-revalidate covers cold-ish keys and outages (stale-if-error). Use both for hot keys behind an unreliable origin.',
      yours: (m) => {
        const g = pick(m('no wait at soft expiry'), /boundary p99 ([\d,]+) ms/);
        return g && `In your run of 04 the requests at a soft expiry had a p99 of ${g[0]} ms: nobody waited for the refresh.`;
      },
    },
    {
      id: 'admin-write-during-refresh',
      q: 'A key is written by an admin tool while a refresh is in flight. Which write should win, and how do you make sure it does?',
      a: 'The newer data, which is the admin\'s, even if the refresh lands later. Make writes conditional on a version: the origin\'s version or timestamp, a compare-and-set (or a Lua script) that refuses a value older than the one stored, or have the admin write invalidate and bump a generation the refresh must match.',
    },
    {
      id: 'alert-on-staleness',
      q: 'How would you alert on staleness? Which figure, which threshold?',
      a: 'On the age of the values served (now minus when the origin built them), as a percentile or max per key class, against the product\'s tolerance, say p99 age above twice the soft TTL for 5 minutes. Also alert on refresh failures and on how many reads are served stale: a rising stale share means refreshes are not landing.',
    },
  ],
});

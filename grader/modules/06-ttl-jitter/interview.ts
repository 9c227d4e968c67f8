/** Module 06's interview follow-ups and model answers: the README's list and `pnpm drill 06`. */
import { defineInterview } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: 'plus-minus-or-on-top',
      q: 'Why ± j and not + [0, j]? What does each do to the mean TTL and to the oldest value served?',
      a: 'Both spread the expiries over a window of the same width if the widths match. ± j keeps the mean TTL at the nominal value, so the origin does the same work in total, and the oldest value is TTL x (1 + j). + [0, j] moves the mean up by j/2 (less origin work, staler data on average) and also makes the oldest value TTL x (1 + j); - [0, j] keeps the bound at the TTL but costs more queries. Say which bound the product promised and pick the form that keeps it.',
    },
    {
      id: 'written-as-read',
      q: 'Your keys are written one by one as they are read, not in a batch. Do you still need jitter? (Reads desynchronise them already; a restart, a flush or a batch brings the synchrony back.)',
      a: 'Day to day, misses spread the writes and the expiries follow, so the herd is small. But anything that writes many keys at once re-synchronises them: a deploy that warms the cache, a flush, a restart of the tier, a batch import, a failover. Jitter costs almost nothing and keeps the worst day like the normal one, so keep it.',
    },
    {
      id: 'how-wide',
      q: 'How wide should the jitter be? Derive it from the origin\'s capacity: N keys in a window w need N / w queries a second.',
      a: 'Spread uniformly over a window of 2 j TTL, N keys expire at N / (2 j TTL) a second on top of the normal misses. Pick j so that rate plus the steady load stays under the origin\'s capacity with headroom: 2,000 keys, an 8 s TTL and 700 queries a second of capacity need 2 j x 8 s >= about 2.9 s, so j of 0.18 or more (0.2 here). Check the staleness bound TTL x (1 + j) is still acceptable.',
    },
    {
      id: 'import-is-a-herd',
      q: 'The import itself is a herd for the cache (2,000 writes at once). When does that matter, and what would you do about it?',
      a: 'It matters when the cache tier is small or remote: thousands of writes in one instant fill its network and CPU, raise latency for live reads, and a pipeline of SETs can time out. Batch and pace the import (pipelines of a few hundred with a pause, or a concurrency limit), spread it over time so the writes themselves are jittered, and watch the cache\'s latency while it runs.',
    },
    {
      id: 'hash-or-random',
      q: 'Jitter a TTL per key deterministically (a hash of the key) or at random per write: what does each give you? When might the deterministic one be what you want (hint: several instances caching the same key independently)?',
      a: 'Random per write spreads every rewrite afresh, so a key never stays next to its neighbours. A hash gives each key the same offset every time: keys stay spread against each other, but a key rewritten in the same batch expires at the same moment every round, and every instance that caches it expires it together. That last part can be what you want when instances cache the same key separately and you want their copies to agree; otherwise random per write, from a seeded stream, is the safer default.',
    },
    {
      id: 'jitter-or-xfetch',
      q: 'TTL jitter and module 05\'s XFetch: which helps a hot key, which helps 2,000 cold ones?',
      a: 'XFetch helps a hot key: one reader recomputes before the expiry, so the key\'s many readers never meet a miss. Jitter helps many keys written together: it spreads their expiries so the origin sees a steady trickle instead of one wave; it does nothing for a single hot key\'s boundary. A real tier uses both.',
    },
  ],
});

/** Module 05's interview follow-ups and model answers: the README's list and `pnpm drill 05`. */
import { defineInterview, pick } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: 'why-exponential',
      q: 'Why an exponential head start and not a fixed one, or a uniform one over the last second?',
      a: 'A fixed head start just moves the boundary: everyone hits the new moment together. A uniform window spreads them but every reader in it has the same chance, so a busy key gets many early recomputes. The exponential rule (XFetch) makes the chance grow sharply near expiry and scales with the recompute time, and for a hot key this gives about one early recompute per TTL, close to optimal for any request rate.',
      yours: (m) => {
        const g = pick(m('hot key: refreshed before expiry'), /([\d.]+) recomputes per ([\d.]+ s) window/);
        return g && `Your run of 05 made ${g[0]} recomputes per ${g[1]} window on the hot key.`;
      },
    },
    {
      id: 'varying-recompute-time',
      q: 'What happens to XFetch when the recompute time varies a lot from one call to the next? Would you store the last delta, a mean, or a high percentile?',
      a: 'The head start scales with delta: after a fast recompute it starts late and the next slow one finishes after expiry (readers miss), after a slow one it starts too early (wasted work). A high percentile (or a smoothed mean plus deviation) of recent deltas is safer than the last one: recomputing a little early costs less than a miss.',
      yours: (m) => {
        const g = pick(m('delta measured'), /lead ([\d,]+) ms before, ([\d,]+) ms after/);
        return g && `Your run of 05 moved its lead from ${g[0]} ms to ${g[1]} ms when the origin got 4 times slower: delta measured, not assumed.`;
      },
    },
    {
      id: 'clock-skew-expiry',
      q: 'XFetch stores `expiry` written by one host\'s clock and read by another\'s. What does a skew of a second do? Could you use the store\'s TTL (`PTTL`) instead, and what would it cost?',
      a: 'A host whose clock is ahead thinks every key expires a second sooner and recomputes early more often; one behind recomputes late and may let keys expire. Reading the remaining TTL from the store (PTTL) uses one clock, the store\'s, at the cost of an extra round trip per read (or a script that returns value and PTTL together).',
    },
    {
      id: 'too-many-early-recomputes',
      q: 'Your fleet sees 2 to 4 early recomputes per window and the origin cannot take it. What do you add, and what does that change about failures?',
      a: 'Combine XFetch with a lock: an early recompute first takes a short rebuild lock, and the others keep serving the cached value. Now a recompute that fails or a holder that dies means nobody refreshed this window, so keep the value serving until its hard expiry and let the lock expire so another host can try.',
      yours: (m) => {
        const g = pick(m('fleet: few early recomputes'), /mean ([\d.]+), max (\d+) per window/);
        return g && `Your fleet in 05 made a mean of ${g[0]} and at most ${g[1]} early recomputes per window.`;
      },
    },
    {
      id: 'read-once-a-minute',
      q: 'A key is read once a minute with a 10 s TTL. Which technique from this course helps it at all?',
      a: 'None of the burst tools: there is no herd, every read is a miss anyway, and early expiration never triggers because nobody reads near the expiry. Stale-while-revalidate helps latency if the stale window is long enough (serve the old value, refresh behind it), or simply a longer TTL, or warming the key if it matters.',
    },
    {
      id: 'beta-at-80-percent',
      q: 'How would you pick beta for a key whose rebuild hits a database that is already at 80%?',
      a: 'Keep beta at or below 1: a larger beta recomputes earlier and more often, adding load to a database with little headroom, and a rebuild there is slow so delta is already large. Measure recomputes per window and the miss rate, and if the database needs protection add a lock or a rate limit on recomputes rather than turning beta up.',
    },
  ],
});

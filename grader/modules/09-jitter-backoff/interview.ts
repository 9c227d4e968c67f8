/** Module 09's interview follow-ups and model answers: the README's list and `pnpm drill 09`. */
import { defineInterview, pick } from '../../src/interview/define.js';

export default defineInterview({
  width: 100,
  list: 'bullets',
  questions: [
    {
      id: 'full-vs-equal-jitter',
      q: 'Why does full jitter need fewer calls than equal jitter? When would you still pick equal jitter?',
      a: 'Full jitter spreads each retry over the whole window [0, t), so contending clients collide less; equal jitter keeps half of every wait fixed, which keeps them partly synchronized. Equal jitter guarantees a minimum wait, which you want when a too-early retry is harmful (a server known to need at least t/2 to recover) or to avoid very short waits.',
      yours: (m) => {
        const g = pick(m('contention'), /full jitter ([\d,]+)\/([\d.]+ s); equal jitter ([\d,]+)\/([\d.]+ s)/);
        return g && `Your run of 09: full jitter ${g[0]} calls (done in ${g[1]}), equal jitter ${g[2]} (done in ${g[3]}).`;
      },
    },
    {
      id: 'jitter-does-not-reduce',
      q: 'Jitter spreads retries out. What does it not do? (It does not reduce the total: 1,000 clients retrying for 10 s still send about 15,000 attempts. Module 12\'s retry budget is for that.)',
      a: 'It does not lower the total load or the number of attempts, and it does not stop retries from amplifying an overload. A retry budget (a ratio of retries to requests), a deadline and a cap on attempts limit the total; jitter only removes the peaks.',
      yours: (m) => {
        const g = pick(m('no wave after the outage'), /([\d,]+) attempts/);
        return g && `Your jittered clients in 09 still sent ${g[0]} attempts in the outage run.`;
      },
    },
    {
      id: 'retry-after-five',
      q: 'A server returns `Retry-After: 5` to every client during an overload. What happens at t+5 s, and what would you change on the server side? On the client side?',
      a: 'Every client comes back at the same moment: a synchronized wave as big as the one that caused the overload. The server should spread the hint (a random Retry-After in a range, scaled to the overload); clients should add jitter on top of the hint and still count the retry against their budget.',
    },
    {
      id: 'which-requests-retry',
      q: 'Which requests may you retry at all? (Idempotent ones, or ones with an idempotency key: a retried payment that already went through is charged twice.)',
      a: 'Reads, idempotent writes (PUT of a full value, DELETE), and non-idempotent ones only with an idempotency key the server deduplicates on. Retry transient failures (503, 429, connection reset, timeouts) but not 4xx errors that will fail again, and treat a timeout on a write as "may have happened".',
    },
    {
      id: 'layers-retry-three-times',
      q: 'Your service calls a service that calls a database; each layer retries 3 times. How many database calls can one user request cause? Where should the retries live?',
      a: 'With 3 attempts per layer (one try plus retries) the attempts multiply: 3 x 3 = 9 database calls from one request, and 4 x 4 = 16 if each layer makes a first try plus 3 retries. Retry in one layer only, usually the one closest to the user or the one that knows the operation is safe, and have the others fail fast.',
    },
    {
      id: 'retry-waves-in-metrics',
      q: 'How would you tell from production metrics that your clients retry in waves?',
      a: 'Plot request rate at a fine resolution (per second or finer) during and after an incident: periodic spikes at the backoff intervals (1 s, 2 s, 4 s) or at the Retry-After, with a peak-to-mean ratio far above 1. Split attempts by retry count: waves show as retry-numbered traffic arriving together.',
      yours: (m) => {
        const g = pick(m('no wave after the outage'), /peak\/mean ([\d.]+)/);
        return g && `Your run of 09 had a peak-to-mean of ${g[0]} per 100 ms after the outage.`;
      },
    },
  ],
});

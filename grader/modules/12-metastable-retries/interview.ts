/** Module 12's interview follow-ups and model answers: the README's list and `pnpm drill 12`. */
import { defineInterview, pick } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: 'pinned-after-incident',
      q: 'Your service is pinned after an incident and nothing is broken any more. What do you do in the first five minutes, and what do you change afterwards?',
      a: 'Cut the load below capacity so the loop breaks: shed at the edge, turn off retries or a client feature, scale up or drop queued work whose callers are gone; the system then recovers on its own. Afterwards, make the loop impossible: retry budgets, adaptive throttling in clients, deadlines propagated and expired work dropped, and alerts on amplification.',
      yours: (m) => {
        const g = pick(m('recovers after a latency spike'), /recovered in ([\d.]+ s)/);
        return g && `With all your layers, 12 recovered in ${g[0]} after the latency spike ended.`;
      },
    },
    {
      id: 'budget-shared-per-client',
      q: 'Why is a retry budget shared by the whole client rather than kept per request? What goes wrong with "each request may retry twice"?',
      a: 'Per-request limits still triple the load when everything fails: every request retries twice, which is exactly the overload amplification. A budget shared by the client (retries at most, say, 10% of requests) lets retries through when failures are rare and shuts them off when failures are common, so load stays near 1.1x.',
      yours: (m) => {
        const g = pick(m('retry budget alone'), /([\d.]+%) retried/);
        return g && `Your retry budget in 12 let ${g[0]} of requests retry in the overload run.`;
      },
    },
    {
      id: 'throttle-k',
      q: 'Adaptive throttling sends up to K times what the backend accepts. What changes with K = 1.1, and with K = 10? Who should pick K?',
      a: 'K = 1.1 rejects locally as soon as the backend refuses more than about 10%: very protective, but clients reject work the backend could have taken and recover slowly. K = 10 hardly throttles until the backend refuses almost everything. The client library team sets a default (the SRE book uses 2) and the backend owner tunes it with the measured refusal behaviour.',
    },
    {
      id: 'retry-a-503',
      q: 'Should a client retry a 503 that carries `Retry-After`? What if every client honours it to the millisecond?',
      a: 'Yes, after the hint and within its retry budget and deadline: the server asked for it. If every client honours the same value exactly, they all return at once and the wave recreates the overload, so clients add jitter and servers spread the hint.',
    },
    {
      id: 'five-services-three-retries',
      q: 'A request passes through five services and each retries three times. How many attempts can one user click cause at the bottom, and where should the retries live?',
      a: 'Up to 4^5 = 1,024 attempts at the bottom (a first try plus 3 retries at each of 5 layers), or 3^5 = 243 if three attempts in all. Retry at one layer, ideally the top (or the one that knows the operation is idempotent), with a budget; the layers below fail fast and pass the failure up.',
      yours: (m) => {
        const g = pick(m('amplification at most 1.1'), /([\d.]+) attempts\/request/);
        return g && `Your client in 12 made ${g[0]} attempts per request over the whole run, trigger included.`;
      },
    },
    {
      id: 'detect-vulnerable-state',
      q: 'How would you detect that a system is in its vulnerable state before a trigger arrives?',
      a: 'It runs close to capacity with amplification waiting to engage: high utilisation, queues that take long to drain after a blip, retries that rise sharply on small error rates, caches whose miss path the backend could not carry. Measure recovery time after small disturbances and load-test past capacity: a system that needs much longer to recover from a small push is near the edge.',
    },
  ],
});

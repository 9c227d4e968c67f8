/** Module 10's interview follow-ups and model answers: the README's list and `pnpm drill 10`. */
import { defineInterview, pick } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: 'queue-wait-signal',
      q: 'Why shed on queue wait rather than CPU utilisation or requests per second? When would CPU be the better signal?',
      a: 'Queue wait is what callers feel and it measures the node\'s real capacity whatever the mix of requests: a fixed requests-per-second limit is wrong as soon as requests get slower or a worker goes away, and CPU can be low while everything waits on a lock or a downstream. CPU is better when the work really is CPU-bound and the queue is elsewhere (or not observable), for instance in a runtime that does not expose its queue.',
      yours: (m) => {
        const g = pick(m('goodput under overload'), /3x ([\d,]+); without shedding.*3x ([\d,]+)/);
        return g && `Your run of 10 kept ${g[0]} goodput/s at 3x load, where the node without shedding managed ${g[1]}.`;
      },
    },
    {
      id: 'where-to-shed',
      q: 'Where should shedding happen: the load balancer, the API gateway, the service, all three? What does a refusal cost at each (a TLS handshake, parsing, authentication)?',
      a: 'All three, with different signals. The edge refuses cheapest (before TLS, parsing and auth) but knows least; the service knows its own queue and the request\'s priority but has already paid for the connection, the parsing and the authentication. Shed coarse at the edge and precise in the service, and keep the refusal itself cheap.',
    },
    {
      id: 'propagate-criticality',
      q: 'The SRE book propagates criticality with the request, through every backend it calls. Why does that matter? What goes wrong if a backend guesses the priority itself?',
      a: 'A backend cannot tell whether a call is for a user\'s checkout or a batch job; only the original request knows. If each backend guesses, a critical request can be shed deep in the stack after the front end spent work on it, while sheddable work keeps going. Propagated criticality lets every layer shed the same requests first.',
      yours: (m) => {
        const g = pick(m('critical never shed'), /3x (\d+)\/(\d+)/);
        return g && `In your run of 10 critical requests were served ${g[0]} of ${g[1]} at 3x load.`;
      },
    },
    {
      id: 'which-retry-after',
      q: 'What Retry-After would you send, and should every refused client get the same one? (Think of module 09\'s synchronised waves.)',
      a: 'One that scales with how overloaded the node is (roughly the queue wait to drain), spread at random over a range so refused clients do not come back together. A single fixed value synchronizes everyone it refused into the next wave.',
    },
    {
      id: 'clients-throttle-themselves',
      q: 'Clients that keep retrying refused requests can keep a node overloaded on their own. How would a client notice and throttle itself? (The SRE book\'s adaptive throttling; module 12.)',
      a: 'Each client tracks requests and accepts over the last couple of minutes and rejects locally with probability max(0, (requests - K x accepts) / (requests + 1)), with K around 2. When the backend refuses most calls, the client stops sending most of them, so refusals cost the backend nothing; a retry budget caps retries the same way.',
    },
    {
      id: 'shedding-vs-rate-limiting',
      q: 'How is load shedding different from rate limiting per customer? Can you need both?',
      a: 'Rate limiting enforces a contract per customer whatever the node\'s state (fairness, quotas), and refuses even when the node is idle. Shedding protects the node when it is overloaded whatever the customers are entitled to. You need both: limits keep one customer from taking everything, shedding handles the overload that remains.',
    },
    {
      id: 'fifo-or-lifo',
      q: 'FIFO or LIFO while overloaded? What does each do to the requests that are served?',
      a: 'FIFO under a growing queue serves the oldest requests first, which are the ones whose callers most likely gave up: everyone gets a slow answer and many are wasted. LIFO serves the freshest, which still have their deadline, so goodput stays high, at the cost of starving the oldest (which can be dropped by deadline). Switch to LIFO (or adaptive LIFO) only while overloaded.',
      yours: (m) => {
        const g = pick(m('p99 latency'), /3x ([\d,]+ ms)/);
        return g && `Your node in 10 kept the p99 of successes at ${g[0]} at 3x load.`;
      },
    },
    {
      id: 'test-shedding',
      q: 'How would you test that shedding works before the day you need it?',
      a: 'Load test past capacity (2x, 3x) in staging or on one canary node, and check goodput stays near capacity, critical requests are served, refusals are fast and carry a Retry-After, and the node recovers when load drops. Also test the capacity changes: half the workers gone, requests twice as slow. Repeat it as a game day.',
    },
  ],
});

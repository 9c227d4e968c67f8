/** Module 13's interview follow-ups and model answers: the README's list and `pnpm drill 13`. */
import { defineInterview, pick } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: 'count-or-time-window',
      q: 'Count-based or time-based window: which behaves better at 5 requests a second? At 50,000?',
      a: 'At 5 requests a second a count window of 100 calls spans 20 s, so the breaker reacts slowly, and a short time window holds too few calls to judge (use a minimum call count). At 50,000 a count window of 100 covers 2 ms, noisy and easy to trip by one burst; a time window of a few seconds holds plenty of calls. Time-based with a minimum number of calls works across both.',
      yours: (m) => {
        const g = pick(m('opens on the outage'), /open ([\d,]+ ms) after/);
        return g && `Your breaker in 13 opened ${g[0]} after the store died at 500 req/s.`;
      },
    },
    {
      id: 'slow-success',
      q: 'Should a slow success count against the dependency? How would you add a slow-call rate?',
      a: 'Yes: a dependency answering in 5 s ties up your threads and connections as surely as one failing. Count calls above a latency threshold as slow and open on a slow-call rate (for instance 50% of calls slower than 1 s over the window), alongside the failure rate, as resilience4j does.',
    },
    {
      id: 'who-protects-the-database',
      q: 'Your breaker protects the store. Who protects the database? Where does `originLimit` come from, and what if 200 processes each use 3?',
      a: 'The fallback path needs its own limit, or the open breaker sends the whole load to the database. originLimit is the database\'s capacity divided by the processes that share it; 200 processes times 3 is 600 concurrent queries, so the limit must be set from the fleet\'s size (or come from a shared limiter), not per process by feel.',
      yours: (m) => {
        const g = pick(m('database protected'), /peak (\d+) queries held/);
        return g && `Your fallback in 13 held at most ${g[0]} database queries at once.`;
      },
    },
    {
      id: 'breakers-at-recovery',
      q: '200 app processes each run their own breaker. What does the store see when it recovers, and what does that mean for `openMs` and `halfOpenProbes`? Would you jitter `openMs`?',
      a: 'If the breakers opened together they go half-open together: 200 x halfOpenProbes calls at the same moment, then, if they pass, all the traffic at once. Keep halfOpenProbes small, and yes, jitter openMs so processes probe at different times and the store is brought back gradually.',
    },
    {
      id: 'stale-worse-than-error',
      q: 'When is serving stale data worse than an error?',
      a: 'When the user acts on it and the old value is wrong: an account balance, a price or stock level at checkout, permissions after a revocation, a flag that disables a dangerous feature. An error tells them to retry; stale data silently leads to a wrong decision. Mark such keys as never stale.',
    },
    {
      id: 'alert-on-a-breaker',
      q: 'How would you alert on a breaker? Which transitions and which durations?',
      a: 'Count transitions to open per dependency and alert when a breaker stays open longer than a few probe rounds, or opens and closes repeatedly (flapping). Graph the time spent open and the share of requests answered by the fallback; page on a breaker open for minutes, not on a single short opening.',
      yours: (m) => {
        const g = pick(m('closes after recovery'), /closed ([\d,]+ ms) after/);
        return g && `Your breaker in 13 closed ${g[0]} after the store came back.`;
      },
    },
    {
      id: 'retries-and-breaker',
      q: 'Retries (module 09) and a breaker on the same call: which goes inside which, and why?',
      a: 'The breaker inside, the retries outside: each attempt goes through the breaker, so an open breaker fails every retry at once and retries stop adding load to a dead dependency, and the breaker counts every attempt. With the retry inside the breaker, the breaker sees one failure per three attempts and opens late.',
    },
  ],
});

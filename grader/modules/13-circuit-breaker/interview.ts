import { defineInterview } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: "count-based-time",
      q: "Count-based or time-based window: which behaves better at 5 requests a second? At 50,000?",
      a: 'TODO',
    },
    {
      id: "slow-success-count",
      q: "Should a slow success count against the dependency? How would you add a slow-call rate?",
      a: 'TODO',
    },
    {
      id: "breaker-protects-store",
      q: "Your breaker protects the store. Who protects the database? Where does `originLimit` come from, and what if 200 processes each use 3?",
      a: 'TODO',
    },
    {
      id: "200-app-processes",
      q: "200 app processes each run their own breaker. What does the store see when it recovers, and what does that mean for `openMs` and `halfOpenProbes`? Would you jitter `openMs`?",
      a: 'TODO',
    },
    {
      id: "serving-stale-data",
      q: "When is serving stale data worse than an error?",
      a: 'TODO',
    },
    {
      id: "alert-breaker-transitions",
      q: "How would you alert on a breaker? Which transitions and which durations?",
      a: 'TODO',
    },
    {
      id: "retries-module-09",
      q: "Retries (module 09) and a breaker on the same call: which goes inside which, and why?",
      a: 'TODO',
    },
  ],
});

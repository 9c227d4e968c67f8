import { defineInterview } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: "keys-not-served",
      q: "Which keys should not be served stale at all? How would you express that per key?",
      a: 'TODO',
    },
    {
      id: "choose-hard-ttl",
      q: "How do you choose the hard TTL? What does a long one cost you, and what does a short one?",
      a: 'TODO',
    },
    {
      id: "background-refresh-runs",
      q: "The background refresh runs in the process that served the stale read. What happens if that process is being shut down? What bounds the damage?",
      a: 'TODO',
    },
    {
      id: "different-refreshing-before",
      q: "How is this different from refreshing *before* expiry (module 05)? When would you want both?",
      a: 'TODO',
    },
    {
      id: "key-written-admin",
      q: "A key is written by an admin tool while a refresh is in flight. Which write should win, and how do you make sure it does?",
      a: 'TODO',
    },
    {
      id: "alert-staleness-figure",
      q: "How would you alert on staleness? Which figure, which threshold?",
      a: 'TODO',
    },
  ],
});

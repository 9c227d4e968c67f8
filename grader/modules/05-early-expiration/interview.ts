import { defineInterview } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: "exponential-head-start",
      q: "Why an exponential head start and not a fixed one, or a uniform one over the last second?",
      a: 'TODO',
    },
    {
      id: "happens-xfetch-recompute",
      q: "What happens to XFetch when the recompute time varies a lot from one call to the next? Would you store the last delta, a mean, or a high percentile?",
      a: 'TODO',
    },
    {
      id: "xfetch-stores-expiry",
      q: "XFetch stores `expiry` written by one host's clock and read by another's. What does a skew of a second do? Could you use the store's TTL (`PTTL`) instead, and what would it cost?",
      a: 'TODO',
    },
    {
      id: "fleet-sees-2",
      q: "Your fleet sees 2 to 4 early recomputes per window and the origin cannot take it. What do you add, and what does that change about failures?",
      a: 'TODO',
    },
    {
      id: "key-read-once",
      q: "A key is read once a minute with a 10 s TTL. Which technique from this course helps it at all?",
      a: 'TODO',
    },
    {
      id: "pick-beta-key",
      q: "How would you pick beta for a key whose rebuild hits a database that is already at 80%?",
      a: 'TODO',
    },
  ],
});

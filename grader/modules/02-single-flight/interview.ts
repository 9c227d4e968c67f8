import { defineInterview } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: "added-request-coalescing",
      q: "You added request coalescing and the database still sees a burst at each boundary. Name two reasons.",
      a: 'TODO',
    },
    {
      id: "flight-call-hangs",
      q: "The in-flight call hangs forever. What happens to everyone waiting on it, and how do you bound it?",
      a: 'TODO',
    },
    {
      id: "waiter-gave-up",
      q: "Should a waiter that gave up (timeout, client disconnected) cancel the shared call? What if it was the one that started it?",
      a: 'TODO',
    },
    {
      id: "shared-result-mutable",
      q: "The shared result is a mutable object and one caller edits it. What breaks, and how do you prevent it?",
      a: 'TODO',
    },
    {
      id: "single-flight-interact",
      q: "How does single-flight interact with retries? Where would you put the retry: inside `fn`, or around `do`?",
      a: 'TODO',
    },
    {
      id: "service-runs-200",
      q: "Your service runs 200 instances. What does single-flight buy you at the origin, and what would you add next?",
      a: 'TODO',
    },
  ],
});

import { defineInterview } from '../../src/interview/define.js';

export default defineInterview({
  list: 'bullets',
  width: 100,
  questions: [
    {
      id: "full-jitter-need",
      q: "Why does full jitter need fewer calls than equal jitter? When would you still pick equal jitter?",
      a: 'TODO',
    },
    {
      id: "jitter-spreads-retries",
      q: "Jitter spreads retries out. What does it not do? (It does not reduce the total: 1,000 clients retrying for 10 s still send about 15,000 attempts. Module 12's retry budget is for that.)",
      a: 'TODO',
    },
    {
      id: "server-returns-retry",
      q: "A server returns `Retry-After: 5` to every client during an overload. What happens at t+5 s, and what would you change on the server side? On the client side?",
      a: 'TODO',
    },
    {
      id: "requests-may-retry",
      q: "Which requests may you retry at all? (Idempotent ones, or ones with an idempotency key: a retried payment that already went through is charged twice.)",
      a: 'TODO',
    },
    {
      id: "service-calls-service",
      q: "Your service calls a service that calls a database; each layer retries 3 times. How many database calls can one user request cause? Where should the retries live?",
      a: 'TODO',
    },
    {
      id: "tell-production-metrics",
      q: "How would you tell from production metrics that your clients retry in waves?",
      a: 'TODO',
    },
  ],
});

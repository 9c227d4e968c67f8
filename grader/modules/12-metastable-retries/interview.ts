import { defineInterview } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: "service-pinned-after",
      q: "Your service is pinned after an incident and nothing is broken any more. What do you do in the first five minutes, and what do you change afterwards?",
      a: 'TODO',
    },
    {
      id: "retry-budget-shared",
      q: "Why is a retry budget shared by the whole client rather than kept per request? What goes wrong with \"each request may retry twice\"?",
      a: 'TODO',
    },
    {
      id: "adaptive-throttling-sends",
      q: "Adaptive throttling sends up to K times what the backend accepts. What changes with K = 1.1, and with K = 10? Who should pick K?",
      a: 'TODO',
    },
    {
      id: "client-retry-503",
      q: "Should a client retry a 503 that carries `Retry-After`? What if every client honours it to the millisecond?",
      a: 'TODO',
    },
    {
      id: "request-passes-through",
      q: "A request passes through five services and each retries three times. How many attempts can one user click cause at the bottom, and where should the retries live?",
      a: 'TODO',
    },
    {
      id: "detect-system-vulnerable",
      q: "How would you detect that a system is in its vulnerable state before a trigger arrives?",
      a: 'TODO',
    },
  ],
});

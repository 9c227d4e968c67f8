import { defineInterview } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: "shed-queue-wait",
      q: "Why shed on queue wait rather than CPU utilisation or requests per second? When would CPU be the better signal?",
      a: 'TODO',
    },
    {
      id: "where-shedding-happen",
      q: "Where should shedding happen: the load balancer, the API gateway, the service, all three? What does a refusal cost at each (a TLS handshake, parsing, authentication)?",
      a: 'TODO',
    },
    {
      id: "sre-book-propagates",
      q: "The SRE book propagates criticality with the request, through every backend it calls. Why does that matter? What goes wrong if a backend guesses the priority itself?",
      a: 'TODO',
    },
    {
      id: "retry-after-send",
      q: "What Retry-After would you send, and should every refused client get the same one? (Think of module 09's synchronised waves.)",
      a: 'TODO',
    },
    {
      id: "clients-keep-retrying",
      q: "Clients that keep retrying refused requests can keep a node overloaded on their own. How would a client notice and throttle itself? (The SRE book's adaptive throttling; module 12.)",
      a: 'TODO',
    },
    {
      id: "load-shedding-different",
      q: "How is load shedding different from rate limiting per customer? Can you need both?",
      a: 'TODO',
    },
    {
      id: "fifo-lifo-while",
      q: "FIFO or LIFO while overloaded? What does each do to the requests that are served?",
      a: 'TODO',
    },
    {
      id: "test-shedding-works",
      q: "How would you test that shedding works before the day you need it?",
      a: 'TODO',
    },
  ],
});

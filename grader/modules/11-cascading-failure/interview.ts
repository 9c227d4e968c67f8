import { defineInterview } from '../../src/interview/define.js';

export default defineInterview({
  list: 'bullets',
  questions: [
    {
      id: "health-check-returns",
      q: "Your health check returns 200 from a separate thread. What failure does that now miss, and what catches it instead (outlier detection on real responses, the node's own admission control)?",
      a: 'TODO',
    },
    {
      id: "fleet-runs-84",
      q: "Your fleet runs at 84% with 5 nodes. How much headroom does N+1 need? N+2 across two zones?",
      a: 'TODO',
    },
    {
      id: "panic-threshold-50",
      q: "With the panic threshold at 50%, 3 of 5 nodes really are dead. What does panic routing cost you, and why is it still the better default?",
      a: 'TODO',
    },
    {
      id: "balancer-cap-ejections",
      q: "Why would a balancer cap ejections at 10% instead of trusting its health checks?",
      a: 'TODO',
    },
    {
      id: "after-trigger-gone",
      q: "After the trigger is gone, the fleet keeps flapping. Name three ways to stop it (shed load at the edge, bring nodes back together instead of one at a time, slow start for returning nodes).",
      a: 'TODO',
    },
  ],
});

/** Module 11's interview follow-ups and model answers: the README's list and `pnpm drill 11`. */
import { defineInterview, pick } from '../../src/interview/define.js';

export default defineInterview({
  list: 'bullets',
  questions: [
    {
      id: 'health-check-separate-thread',
      q: 'Your health check returns 200 from a separate thread. What failure does that now miss, and what catches it instead (outlier detection on real responses, the node\'s own admission control)?',
      a: 'It misses a node that is alive but useless: its request queue is full, its workers stuck, its downstream failing, while the health thread still answers. Outlier detection on real responses (error rate, latency) catches that from the balancer\'s side, and the node\'s own admission control refuses work it cannot do in time.',
    },
    {
      id: 'headroom-n-plus-one',
      q: 'Your fleet runs at 84% with 5 nodes. How much headroom does N+1 need? N+2 across two zones?',
      a: 'With one node down the other 4 carry 84% x 5 / 4 = 105%: already overloaded, so N+1 needs the fleet at or below 80% (4/5). N+2 means surviving two nodes lost, or a zone: with 5 nodes that is 3 left, so at most 60% utilisation, and with zones you size each zone to carry the whole load of the zone that fails.',
      yours: (m) => {
        const g = pick(m('goodput while a node is down'), /([\d,]+)\/s \((\d+)%/);
        return g && `Your fix in 11 kept ${g[0]}/s goodput with a node down, ${g[1]}% of what the survivors can carry.`;
      },
    },
    {
      id: 'panic-threshold-cost',
      q: 'With the panic threshold at 50%, 3 of 5 nodes really are dead. What does panic routing cost you, and why is it still the better default?',
      a: 'Below 50% healthy the balancer sends traffic to all nodes, dead ones included, so about 60% of requests fail. But when health checks are wrong (overloaded nodes failing them) the alternative is routing everything to the last 2 nodes and killing them too; panic keeps serving the share it can instead of cascading to zero.',
    },
    {
      id: 'cap-ejections',
      q: 'Why would a balancer cap ejections at 10% instead of trusting its health checks?',
      a: 'Because health checks fail for fleet-wide reasons (overload, a bad deploy of the check, a shared dependency): ejecting on them moves the load to fewer nodes and makes them fail too. A cap keeps most capacity in rotation and limits the damage of a wrong signal to a small slice.',
    },
    {
      id: 'fleet-keeps-flapping',
      q: 'After the trigger is gone, the fleet keeps flapping. Name three ways to stop it (shed load at the edge, bring nodes back together instead of one at a time, slow start for returning nodes).',
      a: 'Shed load at the edge so the fleet gets below capacity; bring nodes back together rather than one at a time, so the first returning node is not crushed by all the traffic; and slow start (ramp a returning node\'s share up over time). Also lengthen the re-admission hysteresis so a node must be healthy for a while before it takes traffic.',
      yours: (m) => {
        const g = pick(m('failed node taken back'), /back ([\d.]+ s) after it returned/);
        return g && `In your run of 11 the failed node was taken back ${g[0]} after it returned.`;
      },
    },
  ],
});

/** Module 11, cascading failure: one dead node must not take the fleet down through health-check ejection. */
import { defineModule } from '../../src/define.js';
import { GOODPUT_FLOOR, READMIT_WITHIN_MS, checks } from './checks.js';
import { demo } from './demo.js';
import { headline } from './headline.js';
import { ENVOY, FLEET, HEALTH, REMAINING_CAPACITY } from './scenario.js';

export default defineModule({
  id: '11-cascading-failure',
  title: 'cascading failure',
  summary: 'overload spreading through health-check ejection',
  files: { 'fleet.ts': ['createBalancer', 'nodeSettings'] },
  hints: [
    'Reproduce first. onHealthCheck gets the node with its counters already updated: a node in rotation stays in while backend.consecutiveFailures < options.unhealthyThreshold; an ejected one comes back once backend.consecutiveSuccesses >= options.healthyThreshold. With that alone, "cascade reproduced" passes and the other checks show the cascade.',
    "nodeSettings(): a queued check waits behind every request ahead of it, so a node that is alive but busy fails it. Answer it 'out-of-band'. Turn shedding on: module 10's admission refuses work once the head of the queue has waited past its budget and never refuses a health check (critical).",
    'Panic: in route, count the healthy nodes; if healthy * 100 / backends.length < options.panicThresholdPct, pick among ALL backends instead of the healthy ones (not only among the ejected ones). Compare percentages, not a rounded count (2 of 5 is 40%, below 50%), and exactly at the threshold is not below it (2 of 4). With 0 healthy and panic 0 (off), return undefined. Pick from the list you built in this call: the flags change between calls.',
    'Cap: keep a Set of the ids you ejected inside createBalancer. maxEjected = Math.max(1, Math.floor(options.nodes * options.maxEjectionPct / 100)). A node at or past the threshold (>=, not ===) with the Set full stays in (return true) and goes at a later failure once a slot frees; delete its id when you take it back. The Set lives inside createBalancer, so a second balancer in the process starts with none ejected.',
  ],
  checks: [
    {
      name: 'cascade reproduced',
      target: `no guard: all ${FLEET.nodes} ejected; thresholds ${HEALTH.unhealthyThreshold}/${HEALTH.healthyThreshold}; nothing to an ejected node`,
      run: checks['cascade reproduced']!,
      starterFails: /ejected at t=[\d.]+s after 1 failed check in a row, want 2 \(unhealthyThreshold\)/,
    },
    {
      name: 'thresholds in a row',
      seeds: 'once',
      target: `probes ok, fail, ok mixed: eject at ${HEALTH.unhealthyThreshold} failures in a row, back at ${HEALTH.healthyThreshold} passes in a row`,
      run: checks['thresholds in a row']!,
      starterFails: /ejected at t=[\d.]+s after 1 failed check in a row, want 2 \(unhealthyThreshold\)/,
    },
    { name: 'out-of-band health checks', seeds: 'once', target: '0 failed checks on live nodes', run: checks['out-of-band health checks']!, starterFails: /failed \d+ health checks while alive .* answer it out of band/ },
    { name: 'panic threshold', seeds: 'once', target: `below ${ENVOY.panicThresholdPct}% healthy: every node; at or above (2 of 4): healthy only`, value: ENVOY.panicThresholdPct, run: checks['panic threshold']!, starterFails: /below panicThresholdPct route to every node/ },
    { name: 'ejection cap', seeds: 'once', target: `maxEjectionPct ${ENVOY.maxEjectionPct}: at most 1 of ${FLEET.nodes} out; 50%: 2`, value: ENVOY.maxEjectionPct, run: checks['ejection cap']!, starterFails: /nodes were ejected at once .* want at most 1/ },
    {
      name: 'state per balancer',
      seeds: 'once',
      target: 'a second balancer in the process ejects its own dead node as a fresh one',
      run: checks['state per balancer']!,
      starterFails: /n0 was ejected at t=[\d.]+s after 1 failed check in a row, want 2 \(unhealthyThreshold\)/,
    },
    { name: 'no healthy node ejected', target: `your fix: only ${FLEET.failedNode} ejected`, run: checks['no healthy node ejected']!, starterFails: /ejected while alive .* want only the dead n0 ejected/ },
    {
      name: 'goodput while a node is down',
      target: `>= ${GOODPUT_FLOOR}/s (90% of ${REMAINING_CAPACITY}/s)`,
      value: GOODPUT_FLOOR,
      run: checks['goodput while a node is down']!,
      starterFails: new RegExp(`want >= ${GOODPUT_FLOOR}/s`),
    },
    {
      name: 'failed node taken back',
      target: `${FLEET.failedNode} back within ${READMIT_WITHIN_MS / 1000} s, fleet whole after`,
      run: checks['failed node taken back']!,
      starterFails: /ejected again .* the fleet is still cascading/,
    },
  ],
  headline,
  demo,
});

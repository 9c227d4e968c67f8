/**
 * Resilience harness benchmark: 10,000 open-loop requests/s (Poisson) for 60 virtual seconds
 * into 2 nodes of 100 workers, every request answered. Prints the wall time and the simulated
 * requests per wall second; speed is measured here, never asserted in a test.
 *
 * Run: pnpm bench:resilience.
 */
import { performance } from 'node:perf_hooks';
import { runResilience, type ResilienceSpec } from '../src/engine.js';

const spec: ResilienceSpec = {
  name: 'bench: 10,000/s for 60 s',
  seed: 1,
  durationMs: 60_000,
  nodes: [{ workers: 100, serviceTime: { kind: 'exponential', meanMs: 8 }, count: 2 }],
  clients: { kind: 'open', rate: [{ fromMs: 0, toMs: 60_000, ratePerSec: 10_000 }], arrivals: 'poisson', timeoutMs: 1000 },
};

const walls: number[] = [];
let offered = 0;
let goodput = 0;
for (let i = 0; i < 3; i++) {
  const started = performance.now();
  const { report } = await runResilience(spec);
  walls.push(performance.now() - started);
  offered = report.totals.offered;
  goodput = report.totals.goodput;
}
walls.sort((a, b) => a - b);
const median = walls[1]!;
console.log(`${spec.name}: ${offered.toLocaleString('en-US')} requests, ${goodput.toLocaleString('en-US')} answered in time`);
console.log(`  wall (median of 3)   ${Math.round(median).toLocaleString('en-US')} ms`);
console.log(`  simulated req/s      ${Math.round(offered / (median / 1000)).toLocaleString('en-US')} per wall second`);
console.log(`  target run <= 3 s    ${median <= 3000 ? 'PASS' : 'FAIL'}`);
process.exitCode = goodput === offered ? 0 : 1;

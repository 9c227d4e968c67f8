/** Module 08, cache warming: warm the new tier from the access log, and hold the cutover until it would answer. */
import { defineModule } from '../../src/define.js';
import { BUSY_SHARE, CUTOVER, P99_MARGIN_MS, checks } from './checks.js';
import { demo } from './demo.js';
import { headline } from './headline.js';
import { ORIGIN, WARM } from './scenarios.js';

export default defineModule({
  id: '08-cache-warming',
  title: 'cache warming',
  summary: 'the cold tier after maintenance; a cutover gate on hit rate',
  files: { 'warm-cutover.ts': ['warmTier', 'cutoverGate'] },
  hints: [
    'Count the access log first: a Map from key to reads, then the keys sorted by that count, most-read first. Each key is fetched once, however often the log read it: the log is a ranking, not a script to replay.',
    'The limit is Math.max(1, Math.floor(deps.originCapacity * deps.warmShare)): round down, or warming takes more than its share. Make one limiter per warmTier call, const limit = pLimit(slots), and wrap each fetch-and-store in limit(() => ...); await Promise.all of them. p-limit starts the wrapped calls in the order you hand them over, so hottest first stays hottest first.',
    'Inside each limited call: try { const v = await deps.origin.fetch(key); if (v !== null) await deps.tier.set(key, v, deps.ttlMs); } catch { /* skip the key */ }. A failed fetch must neither stop the warming nor be stored.',
    'cutoverGate loops: const keys = deps.shadowSample(); count the keys for which (await deps.tier.get(key)) !== null; if hits / keys.length >= deps.threshold, return (that is the cutover); else (an empty sample included: it proves nothing) await deps.clock.sleep(deps.checkEveryMs) and sample again. Never open on a timer or on "warming finished": a stale log warms the wrong keys, a slow origin warms them late.',
  ],
  checks: [
    {
      name: 'cutover: origin peak and errors vs cold',
      target: `origin peak <= ${CUTOVER.peakShare * 100}% of a cold cutover's (same load, ${CUTOVER.seconds} s); 0 reads fail`,
      value: CUTOVER.peakShare,
      run: checks['cutover: origin peak and errors vs cold']!,
      starterFails: /the cutover at t=1\.0s met a new tier with hit rate [\d.]+: origin peak .* want <= 50% of its peak and 0 failed/,
    },
    {
      name: 'warming: at most floor(share x capacity) at the origin',
      target: `measured at the origin: <= floor(${ORIGIN.capacity} x ${WARM.warmShare}); 48 x 0.1; 6 x 0.1`,
      seeds: 'once',
      run: checks['warming: at most floor(share x capacity) at the origin']!,
      starterFails: /warming queries were at the origin at once .* want at most 2, floor\(6 x 0\.35\)/,
    },
    {
      name: 'live p99 during warming',
      target: `live misses' p99 <= without warming + ${P99_MARGIN_MS} ms; none fail`,
      value: P99_MARGIN_MS,
      run: checks['live p99 during warming']!,
      starterFails: /live reads that missed the old tier while warming ran: .* failed/,
    },
    {
      name: 'gate: holds while short, opens once it passes',
      target: `opens at >= ${WARM.threshold} on a shadow sample; slow origin, stale log; <= 1 check late`,
      value: WARM.threshold,
      seeds: 'once',
      run: checks['gate: holds while short, opens once it passes']!,
      starterFails: /the gate opened at t=1\.0s without a shadow sample, want >= 0\.9/,
    },
    {
      name: 'gate: at the threshold exactly, through deps',
      target: 'deps.threshold 0.9, 0.6, 0.97: opens at it, held 1 read below, held while empty; 1 sample per check',
      seeds: 'once',
      run: checks['gate: at the threshold exactly, through deps']!,
      starterFails: /with deps\.threshold 0\.9, the gate opened at t=0\.0s on samples hitting 0\.895/,
    },
    {
      name: 'warming: each logged key once, hottest first',
      target: 'one query per distinct logged key, in order of reads; again, back to back',
      seeds: 'once',
      run: checks['warming: each logged key once, hottest first']!,
      starterFails: /warming sent 20,000 queries for [\d,]+ keys, want each/,
    },
    {
      name: 'time to warm vs origin capacity',
      target: `mean warming queries at once >= ${BUSY_SHARE} x its slots (time <= work / slots / ${BUSY_SHARE})`,
      value: BUSY_SHARE,
      seeds: 'once',
      run: checks['time to warm vs origin capacity']!,
      starterFails: /warmTier \(started t=1\.0s\) rejected at t=1\.\ds: .*ORIGIN_TIMEOUT|origin query .* timed out/,
    },
    {
      name: 'origin fails during warming',
      target: '1 in 10 warming queries fail: warm() resolves once all are tried; nothing bad stored',
      seeds: 'once',
      run: checks['origin fails during warming']!,
      starterFails: /warmTier \(started t=1\.0s\) rejected at/,
    },
  ],
  headline,
  demo,
});

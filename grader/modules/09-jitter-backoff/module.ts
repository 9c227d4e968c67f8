/** Module 09, jitter backoff: retries that back off, spread out, and know when to stop. */
import { defineModule } from '../../src/define.js';
import { SAMPLES, Z, delayChecks } from './delay-checks.js';
import { demo } from './demo.js';
import { headline } from './headline.js';
import { contentionCheck, recoveryCheck } from './herd-checks.js';
import { retryChecks } from './retry-checks.js';
import { CALLS_SHARE, COMPLETION_MARGIN, MAX_PEAK_RATIO, RECOVERY_CLIENTS, completionBound } from './scenarios.js';

const draws = `${SAMPLES.toLocaleString('en-US')} draws per attempt, mean ± ${Z} SE`;

export default defineModule({
  id: '09-jitter-backoff',
  title: 'jitter backoff',
  summary: 'synchronized retry waves',
  files: { 'backoff.ts': ['exponential', 'fullJitter', 'equalJitter', 'decorrelatedJitter'], 'retry.ts': ['retry'] },
  hints: [
    'Each strategy is a factory: exponential({ baseMs, capMs }) returns (attempt, prevDelay, rng) => ms. `attempt` is the attempt that just failed, counted from 1, so the ceiling is Math.min(capMs, baseMs * 2 ** (attempt - 1)): the first retry waits at most the base. Cap the ceiling first, then draw below it.',
    'Full jitter: rng.between(0, ceiling). Equal jitter: t / 2 + rng.between(0, t / 2) with t the capped ceiling. Decorrelated: Math.min(capMs, rng.between(baseMs, prev * 3)), where prev is prevDelay, or baseMs when prevDelay is 0 (no retry yet). Every draw comes from the rng you are given, never Math.random.',
    'retry(op, options): a loop from attempt 1. try { return await op(attempt) } catch (error) { ... }. Rethrow the error as it is when attempt >= maxAttempts, or when error.status is a 4xx other than 408 and 429 (no status means the network failed: retry that).',
    'Otherwise prev = options.delay(attempt, prev, options.rng) (prev starts at 0); wait = Math.max(prev, error.retryAfterMs ?? 0). Remember deadline = clock.now() + budgetMs when retry() starts: if clock.now() + wait > deadline, throw the error now rather than sleep into a retry that cannot happen (an attempt at exactly the deadline is still allowed). Then await options.clock.sleep(wait).',
  ],
  checks: [
    { name: 'exponential', target: 'min(cap, base x 2^(attempt-1)); attempt 1 waits base', run: delayChecks.exponential, starterFails: /exponential waited 5 ms after attempt 2, want 10 ms/ },
    { name: 'full jitter', target: `uniform [0, ceiling), under the cap; ${draws}`, run: delayChecks.fullJitter, starterFails: /full jitter delays after attempt 1 were 5 ms: no jitter/ },
    { name: 'equal jitter', target: `t/2 + uniform [0, t/2), under the cap; ${draws}`, run: delayChecks.equalJitter, starterFails: /equal jitter delays after attempt 1 were 5 ms: no jitter/ },
    {
      name: 'decorrelated jitter',
      target: `min(cap, uniform [base, 3 x prev)); ${SAMPLES.toLocaleString('en-US')} draws per prevDelay`,
      run: delayChecks.decorrelatedJitter,
      starterFails: /decorrelated jitter delays after attempt 1 \(prevDelay 0\) were 5 ms: no jitter/,
    },
    { name: 'retry gives up', target: 'maxAttempts attempts spaced by delay(); throws the last error', seeds: 'once', run: retryChecks['gives up'], starterFails: /options\.delay was never called/ },
    { name: 'no retry on 4xx', target: '503, reset, 429, 408 retried; 404 and 400 thrown at once', seeds: 'once', run: retryChecks['4xx'], starterFails: /answered 404 on call 5 and retry\(\) tried 3 more times/ },
    { name: 'Retry-After honoured', target: 'waits max(backoff, Retry-After): not less, not the sum', seeds: 'once', run: retryChecks['retry-after'], starterFails: /started 0 ms after a 503 with Retry-After 400 ms, want at least 400/ },
    { name: 'time budget', target: 'none past budgetMs from the call, one at it made; give up at once', seeds: 'once', run: retryChecks.budget, starterFails: /kept going for 5,000 ms \(50 attempts, .*want no attempt after the 1,000 ms budget/ },
    {
      name: 'contention',
      target: `full jitter <= ${CALLS_SHARE} x exponential's calls; completion <= ${COMPLETION_MARGIN}x the formula's slowest of 20,000 seeds (full ${(completionBound('fullJitter') / 1000).toFixed(1)} s)`,
      value: CALLS_SHARE,
      run: contentionCheck,
      starterFails: /full jitter made 5,050 calls for 100 clients, want <= 2,525/,
    },
    {
      name: 'no wave after the outage',
      target: `${RECOVERY_CLIENTS.toLocaleString('en-US')} clients, full jitter: peak 100 ms <= ${MAX_PEAK_RATIO}x the mean`,
      value: MAX_PEAK_RATIO,
      run: recoveryCheck,
      starterFails: /1,000 of 1,000 requests failed with full jitter .* in synchronized waves/,
    },
  ],
  headline,
  demo,
});

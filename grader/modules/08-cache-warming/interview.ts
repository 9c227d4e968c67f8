/** Module 08's interview follow-ups and model answers: the README's list and `pnpm drill 08`. */
import { defineInterview } from '../../src/interview/define.js';

export default defineInterview({
  questions: [
    {
      id: 'sampled-log',
      q: 'Your access log is 1% sampled. Which keys does a 1% sample miss, and does it matter for the hit rate you can reach?',
      a: 'It misses the long tail: keys read a few times a day rarely appear. That matters little for the hit rate, which the hot head dominates: a key read 10,000 times an hour shows up about 100 times. Warm the keys the sample sees, hottest first; the tail fills on demand after the cutover at a rate the origin can take.',
    },
    {
      id: 'warm-share',
      q: 'How would you choose the warm share at 3 a.m. against at noon? Could the share adapt to the origin\'s measured latency?',
      a: 'The share is the origin capacity live traffic leaves free: large at 3 a.m., small at noon. It can adapt: raise the warming concurrency while the origin\'s latency stays near its baseline and cut it when latency or queueing rises (an AIMD loop, as module 10\'s concurrency limits do), so live traffic keeps its p99.',
    },
    {
      id: 'gate-then-drop',
      q: 'The gate opened at 90%, then the hit rate after the cutover fell to 80%. How could that happen (the sample, the TTL, the traffic mix), and what would you alert on?',
      a: 'The shadow reads may not match the live mix (an old log, another region, a different time of day); warmed entries may expire before or soon after the cutover if warming took longer than the TTL; or the cutover itself brings traffic the sample never had. Alert on the miss rate and the origin query rate right after the cutover, against the gate\'s figure, and keep a way back.',
    },
    {
      id: 'old-tier-or-db',
      q: 'Warm from the old tier or from the database: what goes wrong with each during a deploy that changes the value format?',
      a: 'From the old tier: fast and kind to the database (it is how large operators warm a cold cluster), but it copies values in the old format into the new tier, so the new code reads entries it cannot parse, unless the copy transforms or versions them. From the database: always the new format, but it puts the whole warm-up load on the database, which is what the warm-up was meant to spare.',
    },
    {
      id: 'ten-million-keys',
      q: 'You warm 10 million keys at 4 slots of 5 ms. How long does it take, and what do you do instead?',
      a: '4 slots at 5 ms is 800 keys a second, so 12,500 s, about three and a half hours, longer than many TTLs. Instead warm only the hot head (the keys that carry most reads), copy from the old tier in bulk, raise the share off-peak, or ramp traffic onto the new tier so live reads warm it at a pace the origin can take.',
    },
    {
      id: 'ramp',
      q: 'Design the ramp (1%, 5%, 25%, 100%): what does each step check before the next?',
      a: 'At each step, send that share of traffic to the new tier and hold until its hit rate on that share has settled above the threshold, the origin\'s query rate and latency are within budget and error rates are normal; then step up. Each step multiplies the miss load, so the small steps warm the tier with traffic the origin can take, and any step can be rolled back.',
    },
  ],
});

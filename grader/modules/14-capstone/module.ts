/** Module 14, the capstone: the service for real, the learner's layers stacked, one rebuild per boundary fleet-wide. */
import { defineModule } from '../../src/define.js';
import { MISS_RATE_MAX, ONE_REBUILD_MAX, ONE_REBUILD_MEAN, PER_PROCESS_MIN, checks } from './checks.js';
import { WORKERS } from './settings.js';

/**
 * Each check may start the fleet (four processes through tsx) and run a row of seconds: on a
 * loaded 2-core machine that took up to 40 s, against the watchdog's default 30 s.
 */
const CHECK_WALL_MS = 120_000;

export default defineModule({
  id: '14-capstone',
  title: 'capstone service',
  summary: 'a real cache-aside service on Redis: your layers, a load test',
  files: { 'stack.ts': ['stack'] },
  hints: [
    "Start with one layer and watch the figure move: `pnpm capstone load hot-key --layers single-flight` sends about one origin query per process per boundary (4), against 30-60 with none. Then return ['single-flight'] from stack() in modules/14-capstone/stack.ts.",
    "Single flight cannot see the other three processes: 'lock' (module 03) makes the rebuild one for the fleet. It still makes every request that arrives during the rebuild wait for it (the miss rate of that row). 'swr' (04) or 'xfetch' (05) keep the hot key served through its boundary: one of them, after 'lock'.",
    "The rest guard other herds than the hot key's: 'jitter' (06, an in-process L1 whose TTLs are jittered), 'negative' (07, unknown ids), 'breaker' (13, Redis down), 'shedding' (10, the door). List them innermost first, in that order: ['single-flight', 'lock', 'swr', 'jitter', 'negative', 'breaker', 'shedding'].",
    'A layer runs your own module once `pnpm grade NN` has passed it and the files have not changed since; until then the reference runs, and `pnpm capstone load` says which in one line per layer. If a row fails only under your module, grade that module again: its checks say why.',
  ],
  checks: [
    {
      name: 'full stack: one rebuild',
      target: `real time: <= ${ONE_REBUILD_MEAN} origin queries per TTL boundary (max ${ONE_REBUILD_MAX}), no sawtooth`,
      value: ONE_REBUILD_MEAN,
      seeds: 'once',
      realTime: true,
      wallMs: CHECK_WALL_MS,
      run: checks['full stack: one rebuild']!,
      starterFails: /stack naive: the fleet sent [\d.]+ origin queries per TTL boundary .*want at most 1\.5/,
    },
    {
      name: 'single flight: one per process',
      target: `real time: ${PER_PROCESS_MIN} to ${WORKERS} per boundary (${WORKERS} processes)`,
      seeds: 'once',
      realTime: true,
      wallMs: CHECK_WALL_MS,
      run: checks['single flight: one per process']!,
      starterFails: /does not list 'single-flight'/,
    },
    {
      name: 'lock: one fleet-wide',
      target: `real time: <= ${ONE_REBUILD_MEAN} per boundary, ${WORKERS} processes`,
      value: ONE_REBUILD_MEAN,
      seeds: 'once',
      realTime: true,
      wallMs: CHECK_WALL_MS,
      run: checks['lock: one fleet-wide']!,
      starterFails: /does not list 'lock'/,
    },
    {
      name: 'SWR or XFetch: no wait',
      target: `real time: <= ${ONE_REBUILD_MEAN} per refresh, <= ${100 * MISS_RATE_MAX}% misses`,
      value: MISS_RATE_MAX,
      seeds: 'once',
      realTime: true,
      wallMs: CHECK_WALL_MS,
      run: checks['SWR or XFetch: no wait']!,
      starterFails: /lists neither 'swr' nor 'xfetch'/,
    },
  ],
});

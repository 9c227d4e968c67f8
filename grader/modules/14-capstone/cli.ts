/**
 * `pnpm capstone up | load <scenario> | table`: the service for real. `up` serves until Ctrl-C
 * and prints its URLs; `load` starts its own fleet, runs one scenario on the stack and prints the
 * row; `table` runs every layer row under the identical load and writes docs/results.md.
 *   --layers a,b,c   the stack for this run (default: stack.ts; "naive" for none)
 *   --solution       the reference's stack.ts and every layer's reference
 *   --origin pg      PostgreSQL on 127.0.0.1:5432 (DATABASE_URL), if reachable
 *   --peers          (table) also the peer libraries' rows
 *   --seconds N, --rate N, --port N
 */
import { loadExports } from '../../src/load-learner.js';
import type { ModuleSpec } from '../../src/manifest.js';
import { startFleet, CapstoneError, type Fleet } from './fleet.js';
import { checkStack, parseLayers, type Layer } from './layers.js';
import { MIXED_IDS, SCENARIOS, runLoad, type RowFigures, type Scenario } from './load.js';
import { describeSources, sourcesOf } from './sources.js';
import { runTable } from './table.js';

/** Only what loading stack.ts needs: the CLI runs without the course list. */
const STACK_SPEC = { id: '14-capstone', files: { 'stack.ts': ['stack'] } } as unknown as ModuleSpec;

const USAGE = 'usage: pnpm capstone up | load <hot-key|burst|mixed> | table [--layers a,b] [--solution] [--origin pg]';

function parse(argv: string[]): { cmd?: string; arg?: string; flags: Set<string>; values: Map<string, string> } {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--solution' || a === '--peers') flags.add(a.slice(2));
    else if (a.startsWith('--')) {
      const [k, v] = a.includes('=') ? a.slice(2).split('=', 2) : [a.slice(2), argv[++i]];
      if (v === undefined) throw new CapstoneError(`--${k} needs a value: ${USAGE}`);
      values.set(k!, v);
    } else rest.push(a);
  }
  return { cmd: rest[0], arg: rest[1], flags, values };
}

/** The stack to run: --layers, else the learner's (or the reference's) stack.ts. */
export async function chosenStack(target: 'starter' | 'solution', layersFlag?: string): Promise<Layer[]> {
  const file = `${target === 'solution' ? 'solutions' : 'modules'}/14-capstone/stack.ts`;
  const layers = layersFlag !== undefined ? parseLayers(layersFlag) : checkStack(((await loadExports(STACK_SPEC, target)).stack as () => unknown)(), file);
  if (typeof layers === 'string') throw new CapstoneError(layers);
  return layers;
}

const ms = (v: number): string => `${Math.round(v)} ms`;
const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

export function rowLines(r: RowFigures): string[] {
  return [
    `  origin queries per boundary  ${r.perBoundary.toFixed(1)} (max ${r.maxPerBoundary}, ${r.boundaries} boundaries)`,
    `  sawtooth at the boundaries   ${r.sawtooth ? 'yes: the origin spikes every TTL' : 'no'}`,
    `  p99 / p99.9 (autocannon)     ${ms(r.p99)} / ${ms(r.p999)}`,
    `  cache miss rate              ${pct(r.missRate)} of ${r.stats.requests} requests`,
    `  errors                       ${r.errors}${r.stats.shed > 0 ? ` (${r.stats.shed} shed)` : ''}${r.stats.firstError ? `: ${r.stats.firstError}` : ''}`.slice(0, 80),
  ];
}

async function main(): Promise<number> {
  const { cmd, arg, flags, values } = parse(process.argv.slice(2));
  const target = flags.has('solution') ? 'solution' : 'starter';
  const origin = values.get('origin') === 'pg' ? 'pg' : 'http';
  const say = (l: string): void => console.log(l);
  if (cmd === 'table') {
    return runTable({ target, origin, say, seconds: Number(values.get('seconds') ?? 6), rate: Number(values.get('rate') ?? 300), peers: flags.has('peers') });
  }
  if (cmd !== 'up' && cmd !== 'load') throw new CapstoneError(USAGE);
  const layers = await chosenStack(target, values.get('layers'));
  const scenario = (arg ?? 'hot-key') as Scenario;
  if (cmd === 'load' && !SCENARIOS.includes(scenario)) throw new CapstoneError(`no scenario "${arg}": the scenarios are ${SCENARIOS.join(', ')}`);
  let fleet: Fleet | undefined;
  try {
    fleet = await startFleet({ origin, port: values.has('port') ? Number(values.get('port')) : undefined, ids: ['hot', ...MIXED_IDS], say });
    const f = fleet;
    await f.configure(layers, await sourcesOf(layers, target));
    for (const l of await describeSources(layers, target)) say(`  ${l}`);
    if (cmd === 'up') {
      say(`service  ${f.url}/items/hot  (${f.workers} workers, node:cluster)`);
      say(`origin   ${f.originKind === 'pg' ? 'PostgreSQL' : f.originUrl} (latency 100 ms, capacity 16)`);
      say(`redis    ${f.redisUrl} (${f.redisHow}), keys under ${f.runPrefix}`);
      say('try: curl -s ' + `${f.url}/items/hot` + '; Ctrl-C stops and deletes the keys');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      return 0;
    }
    const seconds = Number(values.get('seconds') ?? 6);
    const rate = Number(values.get('rate') ?? 300);
    say(`capstone ${scenario}: ${f.workers} workers, ${seconds} s at ${rate} req/s, TTL ${f.settings.ttlMs} ms, origin ${f.originKind === 'pg' ? 'PostgreSQL' : 'HTTP'}`);
    const r = await runLoad(f, { scenario, seconds, rate });
    for (const l of rowLines(r)) say(l);
    return 0;
  } finally {
    const done = await fleet?.stop();
    if (done && done.left > 0) say(`warning: ${done.left} keys left under ${fleet!.runPrefix}`);
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof CapstoneError ? `capstone: ${e.message}` : e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(e instanceof CapstoneError ? 1 : 2);
  },
);

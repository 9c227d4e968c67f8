/**
 * `pnpm demo 03 --processes N [--yours] [--seed S]`: the fleet as real Node processes. The same
 * bursts run twice against one HTTP origin: first with single-flight only (module 02's reference,
 * one in-process cache per process), then with module 03's lock on one shared Redis. Prints origin
 * rebuilds per boundary per instance for both, every figure measured in this run.
 */
import chalk from 'chalk';
import { isHerdError, locateRedis } from '@herd/harness/engine';
import { range } from '../../src/check-kit.js';
import type { DemoContext } from '../../src/define.js';
import { FleetError, runProcessFleet, type FleetRunReport, type ProcessFleetOptions } from '../../src/fleet/index.js';
import { GraderError } from '../../src/learner-error.js';
import { BURSTS } from './scenarios.js';

export async function demoProcesses(ctx: DemoContext): Promise<number> {
  const processes = parseProcesses(ctx.values.get('processes'));
  const { seed, target, def } = ctx;

  let where: Awaited<ReturnType<typeof locateRedis>>;
  try {
    where = await locateRedis();
  } catch (error) {
    // CI without Redis: locateRedis's own line says what CI must provide.
    if (!isHerdError(error)) throw error;
    console.error(chalk.red(error.message));
    return 1;
  }
  if ('skip' in where) {
    console.error(chalk.yellow(`${where.skip}; the real-process demo needs one (\`pnpm demo 03\` without --processes runs without Redis)`));
    return 1;
  }

  // The file loaded already (the demo CLI loads it before any process is forked).
  const spec = def;
  const lockFile = ctx.file;

  try {
    const shared: ProcessFleetOptions = {
      processes,
      module: '02-single-flight',
      target: 'solution',
      seed,
      redisUrl: where.url,
    };
    console.log(chalk.bold(`${spec.id.slice(0, 2)} ${spec.title}: a fleet of real processes`) + chalk.dim(` (${target === 'solution' ? 'reference' : 'your code'}, seed ${seed})`));
    console.log(
      `${processes} Node processes, one Redis at ${shownUrl(where.url)}, one HTTP origin (${BURSTS.origin.latencyMs} ms a query, unlimited capacity).\n` +
        `${BURSTS.count} bursts of ${BURSTS.size} requests per process on one key, every ${BURSTS.everyMs / 1000} s; TTL ${BURSTS.ttlMs / 1000} s, so every burst meets an expired key.\n`,
    );

    console.log(chalk.bold('Phase 1: single-flight only') + chalk.dim(' (module 02\'s reference; each process has its own in-process cache)'));
    const before = await runProcessFleet(shared);
    if (!printPhase(before)) return 1;

    console.log(chalk.bold('Phase 2: distributed lock') + chalk.dim(` (${lockFile}, every process on the shared Redis)`));
    const after = await runProcessFleet({ ...shared, module: spec.id, target });
    if (!printPhase(after)) return 1;

    const b = before.boundaries.map((x) => x.queries);
    const a = after.boundaries.map((x) => x.queries);
    if (a.length === 0) {
      console.log(chalk.yellow(`No origin queries in the lock phase: ${after.file} never reached the origin, so there is nothing to compare.`));
      return 0;
    }
    const worst = Math.max(...a);
    const verdict = `${range(b)} rebuilds per boundary -> ${range(a)}, measured`;
    const detail = ` (${processes} processes; per boundary [${b.join(', ')}] with single-flight in each process, [${a.join(', ')}] with the lock in Redis)`;
    console.log((worst === 1 ? chalk.green.bold(verdict) : chalk.yellow.bold(verdict)) + chalk.dim(detail));
    if (worst >= processes) {
      console.log(chalk.yellow(`${after.file} still rebuilds once per process: nothing tells one process that another is already asking. Add the lock (\`pnpm hint 03\`).`));
    } else if (worst > 1) {
      console.log(chalk.yellow(`${after.file} let ${worst} processes rebuild at one boundary, want 1: the others should wait for the holder's value (\`pnpm hint 03\`).`));
    }
    return 0;
  } catch (error) {
    // A learner file that fails to load or throws, a child that died or never answered, Redis gone: one line.
    if (error instanceof FleetError || isHerdError(error)) {
      console.error(chalk.red(error.message));
      return 1;
    }
    throw error;
  } finally {
    await where.stop();
  }
}

/** The phase's table; false (after printing the failure line) when requests failed. */
function printPhase(r: FleetRunReport): boolean {
  const ids = r.instances.join(' ');
  console.log(chalk.dim(`  ${'boundary'.padEnd(10)}${'at'.padEnd(10)}${'origin queries'.padEnd(16)}by instance (${ids})`));
  if (r.boundaries.length === 0) console.log(chalk.dim('  (no origin queries at all)'));
  r.boundaries.forEach((b, i) => {
    const n = String(b.queries).padEnd(16);
    console.log(`  ${String(i + 1).padEnd(10)}${`t=${(b.start / 1000).toFixed(2)}s`.padEnd(10)}${b.queries === 1 ? chalk.green(n) : chalk.red(n)}${b.byInstance.join(' ')}`);
  });
  const waits = r.lockWaits && r.lockWaits.count > 0 ? `; ${r.lockWaits.count} lock waits, p50 ${Math.round(r.lockWaits.p50)} ms, p99 ${Math.round(r.lockWaits.p99)} ms` : '';
  console.log(
    chalk.dim(
      `  ${r.requests} requests, ${r.failed} failed, latency p50 ${Math.round(r.latency.p50)} ms, p99 ${Math.round(r.latency.p99)} ms${waits}; ` +
        `${(r.wallMs / 1000).toFixed(1)} s with ${(r.startupMs / 1000).toFixed(1)} s of process startup\n`,
    ),
  );
  if (r.failure !== undefined) {
    console.error(chalk.red(r.failure));
    return false;
  }
  return true;
}

function parseProcesses(raw: string | undefined): number {
  const n = Number(raw);
  if (raw === undefined || !/^\d+$/.test(raw) || n < 2 || n > 8) {
    throw new GraderError(`--processes takes a whole number from 2 to 8, got "${raw ?? ''}"`);
  }
  return n;
}

/** The Redis URL without credentials. */
function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'REDIS_URL';
  }
}

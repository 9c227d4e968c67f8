/**
 * pnpm verdicts [NN ...] [--seeds N]: grades every variant of every built module (or the ones
 * named) on N seeds (default 8), each in a watched child: every wrong one must be rejected by the
 * check that names it on every seed, every right one must pass every check on every seed. Then,
 * per check, the margins: the reference's figure over the seeds, the bound, and the nearest
 * figure a wrong variant reached. Exit 1 when a verdict does not hold. Not part of `pnpm test`
 * (which grades the same variants on the grader's first seed): it takes minutes.
 */
import { cpus } from 'node:os';
import { gradeIsolated } from '../src/isolated.js';
import { findModule, manifest } from '../src/manifest.js';
import type { ModuleDefinition } from '../src/define.js';
import type { ModuleResult } from '../src/types.js';
import { parseArgs } from '../src/cli/args.js';
import { main } from '../src/cli/main.js';
import { GraderError } from '../src/learner-error.js';
import { paragraph } from '../src/render.js';
import { moduleVariants, verdictProblem, type NamedVariant } from './support/verdicts.js';
import { variantSpec } from './support/variants.js';

const USAGE = 'usage: pnpm verdicts [NN ...] [--seeds N]';

main(async () => {
  const args = parseArgs(process.argv.slice(2), ['help'], ['seeds']);
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const count = Number(args.values.get('seeds') ?? 8);
  if (!Number.isInteger(count) || count < 1) throw new GraderError(`--seeds takes a whole number of seeds, got ${args.values.get('seeds')}`);
  const seeds = Array.from({ length: count }, (_, i) => i + 1);
  const defs = args.positionals.length === 0 ? manifest : args.positionals.map((q) => findModule(q) ?? fail(`no module "${q}"`));
  let broken = 0;
  for (const def of defs) broken += await moduleVerdicts(def, seeds);
  console.log(broken === 0 ? `\nEvery verdict holds on ${count} seeds.` : `\n${broken} verdicts do not hold on ${count} seeds (above).`);
  return broken === 0 ? 0 : 1;
});

function fail(message: string): never {
  throw new GraderError(message);
}

interface Graded {
  v: NamedVariant;
  result: ModuleResult;
}

async function moduleVerdicts(def: ModuleDefinition, seeds: number[]): Promise<number> {
  const variants = await moduleVariants(def);
  const jobs: Array<() => Promise<Graded | ModuleResult>> = [
    () => gradeIsolated(def, 'solution', { seeds, everySeed: true }),
    ...variants.map((v) => async () => {
      const spec = variantSpec(def, v.name, v.variant, v.from);
      const only = v.kind === 'wrong' ? [v.variant.rejectedBy!] : undefined;
      return { v, result: await gradeIsolated(spec, 'starter', { seeds, everySeed: true, ...(only ? { only } : {}) }) };
    }),
  ];
  const done = await pool(jobs, Math.max(1, Math.min(4, cpus().length)));
  const reference = done[0] as ModuleResult;
  const graded = done.slice(1) as Graded[];

  const wrong = graded.filter((g) => g.v.kind === 'wrong');
  const right = graded.filter((g) => g.v.kind === 'right');
  const problems: string[] = [];
  for (const g of graded) {
    if (g.v.kind === 'wrong' && g.v.variant.rejectedBy === undefined) {
      problems.push(`wrong ${g.v.name}, seed -: names no check that rejects it (rejectedBy)`);
      continue;
    }
    for (const seed of seeds) {
      // Each check's result on this seed (a check graded once counts for every seed).
      const atSeed = g.result.checks.map((c) => {
        const s = c.perSeed?.find((p) => p.seed === seed) ?? c.perSeed?.[0];
        return s === undefined ? c : { ...c, status: s.status, message: s.message, seed: s.seed };
      });
      const p = verdictProblem(g.v, atSeed);
      if (p !== undefined) {
        problems.push(`${g.v.kind} ${g.v.name}, seed ${seed}: ${p}`);
        break;
      }
    }
  }
  for (const c of reference.checks) {
    const bad = (c.perSeed ?? []).find((s) => s.status !== 'pass');
    if (bad) problems.push(`the reference, seed ${bad.seed}: "${c.name}" ${bad.status}: ${bad.message}`);
  }
  const okWrong = wrong.filter((g) => !problems.some((p) => p.startsWith(`wrong ${g.v.name},`))).length;
  const okRight = right.filter((g) => !problems.some((p) => p.startsWith(`right ${g.v.name},`))).length;
  console.log(`\n${def.id}, ${seeds.length} seeds`);
  console.log(`  wrong: ${okWrong}/${wrong.length} rejected on every seed by the check that names them`);
  console.log(`  right: ${okRight}/${right.length} passed every check on every seed`);
  console.log(margins(def, reference, wrong));
  for (const p of problems) console.log(`  ${paragraph(`NOT HELD ${p}`, 4, 80)}`);
  return problems.length;
}

/** Per check: the reference's figure over the seeds, the bound, and the nearest wrong figure. */
function margins(def: ModuleDefinition, reference: ModuleResult, wrong: readonly Graded[]): string {
  const rows = [['check', 'reference', 'bound', 'nearest wrong', 'wrongs']];
  for (const check of def.checks) {
    const ref = reference.checks.find((c) => c.name === check.name);
    const figs = (ref?.perSeed ?? []).map((s) => s.figure).filter((f): f is number => f !== undefined);
    const bound = (ref?.perSeed ?? []).find((s) => s.bound !== undefined)?.bound;
    const rejected = wrong.filter((g) => g.v.variant.rejectedBy === check.name);
    let nearest: { figure: number; name: string } | undefined;
    for (const g of rejected) {
      for (const s of g.result.checks[0]?.perSeed ?? []) {
        if (s.figure === undefined || bound === undefined) continue;
        if (nearest === undefined || Math.abs(s.figure - bound) < Math.abs(nearest.figure - bound)) nearest = { figure: s.figure, name: g.v.name };
      }
    }
    rows.push([
      check.name,
      figs.length === 0 ? '-' : span(figs),
      bound === undefined ? '-' : fmt(bound),
      nearest === undefined ? '-' : `${fmt(nearest.figure)} ${nearest.name}`,
      String(rejected.length),
    ]);
  }
  // 2 + 73 + 4 separators: 79 columns.
  const widths = [24, 13, 9, 21, 6];
  return rows.map((r) => `  ${r.map((cell, i) => clipTo(cell, widths[i]!).padEnd(widths[i]!)).join(' ')}`.trimEnd()).join('\n');
}

const fmt = (v: number): string => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : `${+v.toPrecision(3)}`);
const span = (values: number[]): string => {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? fmt(lo) : `${fmt(lo)}-${fmt(hi)}`;
};
const clipTo = (s: string, w: number): string => (s.length > w ? `${s.slice(0, w - 1)}~` : s);

/** Runs the jobs, `width` at a time, keeping their order. */
async function pool<T>(jobs: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}



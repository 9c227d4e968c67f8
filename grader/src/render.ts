/** Output for people: a table per module, sparklines under herd checks, before/after tables. */
import chalk from 'chalk';
import { sparkline, type RunReport } from '@herd/harness/engine';
import type { ModuleSpec } from './manifest.js';
import type { CheckResult, ModuleResult, Status, Target } from './types.js';

const badge: Record<Status, string> = {
  pass: chalk.green('PASS'),
  fail: chalk.red('FAIL'),
  error: chalk.red('ERROR'),
  skipped: chalk.yellow('SKIP'),
};

// Visible width, ignoring colour codes.
const width = (s: string): number => s.replace(/\u001b\[[0-9;]*m/g, '').length;
const pad = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - width(s)));

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]): string => cells.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd();
  return [chalk.bold(line(header)), chalk.dim(widths.map((w) => '-'.repeat(w)).join('  ')), ...rows.map(line)].join('\n');
}

export function renderModule(spec: ModuleSpec, result: ModuleResult, target: Target, file: string): string {
  const who = target === 'solution' ? 'reference' : 'yours';
  const out: string[] = [chalk.bold(`${spec.id}  ${spec.title}`) + chalk.dim(`  (${who}: ${file})`), ''];
  out.push(table(['check', 'measured', 'target', ''], result.checks.map((c) => [c.name, c.measured, c.target, badge[c.status]])));
  const notes = result.checks.filter((c) => c.status !== 'pass');
  if (notes.length > 0) out.push('');
  for (const c of notes) out.push(note(spec, c, target));
  const herd = result.checks.find((c) => c.series !== undefined);
  if (herd?.series) {
    out.push('', `${chalk.dim('origin queries/s')} ${chalk.cyan(sparkline(herd.series))} ${chalk.dim(`(${herd.name}, seed ${herd.seed})`)}`);
  }
  out.push('', `${badge[result.status]} ${passCount(result.checks)}`);
  return out.join('\n');
}

function note(spec: ModuleSpec, c: CheckResult, target: Target): string {
  const colour = c.status === 'skipped' ? chalk.yellow : chalk.red;
  const replay = c.seed !== null && c.status === 'fail' ? chalk.dim(` (seed ${c.seed}: pnpm grade ${spec.id.slice(0, 2)} --seed ${c.seed}${target === 'solution' ? ' --solution' : ''})`) : '';
  return `${colour(`${c.name}:`)} ${c.message}${replay}`;
}

const passCount = (checks: CheckResult[]): string => `${checks.filter((c) => c.status === 'pass').length}/${checks.length} checks pass`;

/** Before/after on the identical scenario and seed. */
export function renderBeforeAfter(title: string, before: { label: string; report: RunReport }, after: { label: string; report: RunReport }): string {
  const row = (name: string, f: (r: RunReport) => string): string[] => [name, f(before.report), f(after.report)];
  const herd = (r: RunReport): string => {
    const q = r.boundaries.map((b) => b.queries);
    return q.length === 0 ? '0' : `${Math.min(...q)}-${Math.max(...q)}`;
  };
  const worstP99 = (r: RunReport): string => `${Math.round(Math.max(...r.boundaries.map((b) => b.p99), 0))} ms`;
  return [
    chalk.bold(title),
    table(
      ['', before.label, after.label],
      [
        row('origin queries per boundary', herd),
        row('origin queries in total', (r) => r.origin.queries.toLocaleString('en-US')),
        row('p99 at the boundary (worst)', worstP99),
        row('p99 overall', (r) => `${Math.round(r.latency.p99)} ms`),
        row('miss rate', (r) => `${(r.cache.missRate * 100).toFixed(2)}%`),
        row('sawtooth', (r) => (r.sawtooth.detected ? `yes (${r.sawtooth.spikes} spikes)` : 'no')),
        row('origin queries/s', (r) => sparkline(r.origin.perSecond, 40)),
      ],
    ),
  ].join('\n');
}

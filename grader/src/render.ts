/**
 * Output for people: a table per module, sparklines under herd checks, headline tables. Every
 * table fits the terminal's width (80 columns on a projector): the widest columns wrap.
 */
import chalk from 'chalk';
import { sharedScale, sparkline } from '@herd/harness/engine';
import type { HeadlineTable } from './define.js';
import type { ModuleSpec } from './manifest.js';
import type { CheckResult, ModuleResult, Status, Target } from './types.js';

const badge: Record<Status, string> = {
  pass: chalk.green('PASS'),
  fail: chalk.red('FAIL'),
  error: chalk.red('ERROR'),
  skipped: chalk.yellow('SKIP'),
};

/**
 * The width output is laid out for: the terminal's, at most 80 columns (a projector, a split
 * pane), and 80 when output is not a terminal (files, pipes, CI logs).
 */
export function terminalWidth(): number {
  return Math.max(60, Math.min(80, process.stdout.columns ?? 80));
}

/** Visible width, ignoring colour codes. */
export const width = (s: string): number => s.replace(/\u001b\[[0-9;]*m/g, '').length;
const pad = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - width(s)));

/** Breaks plain text into lines of at most `w` columns, at spaces where it can. */
export function wrap(text: string, w: number): string[] {
  if (w < 8 || width(text) <= w) return [text];
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line === '') line = word;
    else if (width(line) + 1 + width(word) <= w) line += ` ${word}`;
    else {
      out.push(line);
      line = word;
    }
    while (width(line) > w) {
      out.push(line.slice(0, w));
      line = line.slice(w);
    }
  }
  if (line !== '') out.push(line);
  return out;
}

/** A table whose widest columns shrink (and wrap) until it fits `maxWidth`. */
export function table(header: string[], rows: string[][], maxWidth = terminalWidth()): string {
  const natural = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  // The longest word of each column: shrinking stops there first, so words wrap whole.
  const longestWord = header.map((h, i) => Math.max(...[h, ...rows.map((r) => r[i] ?? '')].flatMap((c) => c.split(' ').map(width))));
  const widths = [...natural];
  const total = (): number => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  const shrink = (floor: (i: number) => number): void => {
    while (total() > maxWidth) {
      let widest = -1;
      widths.forEach((w, i) => {
        if (w > floor(i) && (widest < 0 || w > widths[widest]!)) widest = i;
      });
      if (widest < 0) return;
      widths[widest]!--;
    }
  };
  shrink((i) => Math.max(6, longestWord[i]!));
  shrink(() => 6);
  const render = (cells: string[]): string[] => {
    const wrapped = cells.map((c, i) => (width(c) <= widths[i]! ? [c] : wrap(c, widths[i]!)));
    const height = Math.max(...wrapped.map((w) => w.length));
    return Array.from({ length: height }, (_, k) => wrapped.map((w, i) => pad(w[k] ?? '', widths[i]!)).join('  ').trimEnd());
  };
  return [...render(header).map((l) => chalk.bold(l)), chalk.dim(widths.map((w) => '-'.repeat(w)).join('  ')), ...rows.flatMap(render)].join('\n');
}

/** A paragraph of plain text wrapped to the terminal, later lines indented by `indent`. */
export function paragraph(text: string, indent = 2, maxWidth = terminalWidth()): string {
  return wrap(text, maxWidth - indent)
    .map((l, i) => (i === 0 ? l : ' '.repeat(indent) + l))
    .join('\n');
}

export function renderModule(spec: ModuleSpec, result: ModuleResult, target: Target, file: string): string {
  const who = target === 'solution' ? 'reference' : 'yours';
  const out: string[] = [...wrap(chalk.bold(`${spec.id}  ${spec.title}`) + chalk.dim(`  (${who}: ${file})`), terminalWidth()), ''];
  // One cause for every check (a file that does not load): said once, above the table.
  const cause = commonCause(result);
  if (cause !== undefined) out.push(paragraph(chalk.red(cause), 2), '');
  out.push(table(['check', 'measured', 'target', ''], result.checks.map((c) => [c.name, cause !== undefined ? 'not run' : c.measured, c.target, badge[c.status]])));
  const notes = cause !== undefined ? [] : result.checks.filter((c) => c.status !== 'pass');
  if (notes.length > 0) out.push('');
  for (const c of notes) out.push(note(spec, c, target));
  const herd = result.checks.find((c) => c.series !== undefined);
  if (herd?.series) {
    const w = Math.min(60, terminalWidth() - 20);
    out.push('', `${chalk.dim(herd.seriesLabel ?? 'origin queries/s')} ${chalk.cyan(sparkline(herd.series, w))}`, chalk.dim(`  (${herd.name}, seed ${herd.seed})`));
  }
  out.push('', `${badge[result.status]} ${passCount(result.checks)}`);
  return out.join('\n');
}

/** The one message every check failed with, when there is one (a load failure, a hang at import). */
export function commonCause(result: ModuleResult): string | undefined {
  const first = result.checks[0];
  if (first === undefined || first.status !== 'error' || result.checks.length < 2) return undefined;
  return result.checks.every((c) => c.status === 'error' && c.message === first.message) ? first.message : undefined;
}

function note(spec: ModuleSpec, c: CheckResult, target: Target): string {
  const colour = c.status === 'skipped' ? chalk.yellow : chalk.red;
  const replay = c.seed !== null && c.status === 'fail' ? ` (seed ${c.seed}: pnpm grade ${spec.id.slice(0, 2)} --seed ${c.seed}${target === 'solution' ? ' --solution' : ''})` : '';
  const lines = wrap(`${c.name}: ${c.message}${replay}`, terminalWidth() - 2);
  const head = lines[0]!;
  const name = `${c.name}:`;
  const first = head.startsWith(name) ? colour(name) + head.slice(name.length) : head;
  return [first, ...lines.slice(1).map((l) => `  ${l}`)].join('\n');
}

const passCount = (checks: CheckResult[]): string => {
  const passed = checks.filter((c) => c.status === 'pass').length;
  const skipped = checks.filter((c) => c.status === 'skipped').length;
  return `${passed}/${checks.length} checks pass${skipped ? `, ${skipped} skipped: not done until every check has run` : ''}`;
};

/**
 * Figures as rows, one column per run; when the runs do not fit side by side, they split into
 * tables of fewer runs, one under the other, each with the figure names.
 */
function runsTable(figures: string[], runs: HeadlineTable['runs'], maxWidth = terminalWidth()): string {
  const rendered = table(['', ...runs.map((r) => r.label)], figures.map((f, i) => [f, ...runs.map((r) => r.values[i] ?? '')]), maxWidth);
  if (runs.length < 2 || rendered.split('\n').every((l) => width(l) <= maxWidth)) return rendered;
  const half = Math.ceil(runs.length / 2);
  return `${runsTable(figures, runs.slice(0, half), maxWidth)}\n\n${runsTable(figures, runs.slice(half), maxWidth)}`;
}

/** The headline table in the terminal: figures as rows, one column per run, series on one scale. */
export function renderHeadline(t: HeadlineTable): string {
  const withSeries = t.runs.filter((r) => r.series !== undefined);
  const out = [chalk.bold(paragraph(`Headline on the identical scenario (${t.scenario}):`, 2)), runsTable(t.figures, t.runs)];
  if (withSeries.length > 0) {
    // One scale for every line, so 1 query per boundary does not draw the spikes of a herd of 80.
    const peak = sharedScale(withSeries.map((r) => r.series!));
    const labelWidth = Math.max(...withSeries.map((r) => r.label.length));
    const w = Math.max(20, Math.min(60, terminalWidth() - labelWidth - 4));
    out.push('', chalk.dim(paragraph(`${t.seriesLabel ?? 'series'}, one scale (peak ${peak}):`, 2)));
    for (const r of withSeries) out.push(`${pad(r.label, labelWidth)}  ${chalk.cyan(sparkline(r.series!, w, peak))}`);
  }
  return out.join('\n');
}

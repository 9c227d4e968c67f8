/**
 * The same time-series chart as the SVG, for the console (`pnpm demo`): asciichart draws the first
 * series as a line, every other series is a row of points in a glyph of its own (so the chart
 * reads without colour), chalk colours them, every series on one scale.
 */
import { plot, type PlotConfig } from 'asciichart';
import chalk, { Chalk, type ChalkInstance, type ColorSupportLevel } from 'chalk';
import type { TimeSeriesChart } from './svg-chart.js';

export interface TerminalChartOptions {
  /** Columns the whole chart may use; default the terminal's width (80 when not a terminal), at least 40. */
  width?: number;
  /** Rows of the plot itself (title, axis and legend lines come on top); default 10, at least 2. */
  height?: number;
  /** Force colour on or off; default whatever chalk detects for stdout. */
  colour?: boolean;
}

/** Hues in the SVG palette's order (blue, orange, green, red, purple), as near as 16 colours get. */
const HUES = ['cyan', 'yellow', 'green', 'red', 'magenta', 'blueBright', 'white', 'gray'] as const;

const MIN_WIDTH = 40;
/** asciichart's columns around the label: one space and the axis, where the first value is drawn. */
const AXIS = 2;

/** Max-pools into columns of `per` bins, so a one-bin herd survives narrowing instead of averaging away. */
function pool(values: readonly number[], per: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i += per) {
    let m = 0;
    for (let j = i; j < Math.min(values.length, i + per); j++) m = Math.max(m, Number.isFinite(values[j]) ? values[j]! : 0);
    out.push(m);
  }
  return out;
}

/** The glyph series i > 0 is drawn with (the first series is asciichart's line). */
const glyph = (i: number): string => ['─', '•', '×', '+', 'o', '#'][i % 6]!;

const visibleLength = (s: string): number => s.replace(/\x1b\[[0-9;]*m/g, '').length;

function formatNumber(v: number, top: number): string {
  return top >= 10 ? String(Math.round(v)) : v.toFixed(1);
}

/** Packs legend entries into lines no wider than `width`. */
function wrap(entries: string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const e of entries) {
    if (line !== '' && visibleLength(line) + 2 + visibleLength(e) > width) {
      lines.push(line);
      line = '';
    }
    line = line === '' ? e : `${line}  ${e}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

export function terminalChart(chart: TimeSeriesChart, options: TerminalChartOptions = {}): string {
  const width = Math.max(MIN_WIDTH, Math.floor(options.width ?? process.stdout.columns ?? 80));
  const rows = Math.max(2, Math.floor(options.height ?? 10));
  const c: ChalkInstance =
    options.colour === undefined ? chalk : new Chalk({ level: options.colour ? (Math.max(1, chalk.level) as ColorSupportLevel) : 0 });
  const hue = (i: number) => c[HUES[i % HUES.length]!];

  const symlog = chart.yScale?.type === 'symlog';
  const fixedMax = chart.yScale?.max;
  // log10(1 + v) keeps 0 at 0 and shows 1 query apart from none, like Vega's symlog.
  const toScale = (v: number): number => (symlog ? Math.log10(1 + Math.max(0, v)) : v);
  const fromScale = (v: number): number => (symlog ? 10 ** v - 1 : v);

  const longest = Math.max(0, ...chart.series.map((s) => s.values.length));
  const peak = Math.max(0, ...chart.series.flatMap((s) => s.values.filter(Number.isFinite)));
  const top = fixedMax ?? Math.max(peak, 1);
  const labelWidth = Math.max(3, formatNumber(top, top).length);
  const columns = width - labelWidth - AXIS - 1;
  const per = Math.max(1, Math.ceil(longest / columns));

  const out: string[] = [];
  const heading = `${chart.title} (${chart.yLabel}${symlog ? ', log scale' : ''})`;
  out.push(c.bold(heading.length > width ? `${heading.slice(0, width - 1)}…` : heading));

  const drawn = chart.series
    .map((s, i) => ({ i, values: pool(s.values, per).map((v) => toScale(Math.min(v, top))) }))
    .filter((s) => s.values.length > 0);
  if (drawn.length === 0) {
    out.push(c.dim('(no data)'));
  } else {
    const config: PlotConfig = {
      min: 0,
      max: toScale(top),
      height: rows - 1,
      format: (v) => formatNumber(fromScale(v), top).padStart(labelWidth),
    };
    // asciichart draws the first series as a line; every other one is drawn on top as points of
    // its own glyph, so the chart reads without colour (the legend shows each glyph).
    const lines = plot([drawn[0]!.values], config).split('\n');
    // asciichart marks the axis row for y = 0 with a cross, and with min 0 that index is the top row.
    lines[0] = lines[0]!.replace(/^(\s*\S+ )┼/, '$1┤');
    const axis = lines[0]!.search(/[┤┼]/);
    const grid = lines.map((l) => [...l]);
    const owner = grid.map((r) => r.map((_, x) => (x > axis ? drawn[0]!.i : -1)));
    const ratio = (rows - 1) / (toScale(top) || 1);
    for (const s of drawn.slice(1)) {
      s.values.forEach((v, x) => {
        const row = rows - 1 - Math.round(v * ratio);
        const col = axis + 1 + x;
        const r = grid[row]!;
        while (r.length <= col) r.push(' ');
        r[col] = glyph(s.i);
        owner[row]![col] = s.i;
      });
    }
    const paint = (r: string[], y: number): string =>
      r
        .map((ch, x) => {
          const o = owner[y]![x] ?? -1;
          return o < 0 || ch === ' ' ? ch : hue(o)(ch);
        })
        .join('')
        .trimEnd();
    out.push(...grid.map(paint));

    const pooledLength = Math.ceil(longest / per);
    const spanMs = pooledLength * per * chart.binMs;
    const indent = ' '.repeat(labelWidth + AXIS - 1);
    const bands = chart.bands ?? [];
    if (bands.length > 0) {
      // Under the plot rather than in it: shading a character grid would hide the lines.
      const marks = Array.from({ length: pooledLength }, (_, col) => {
        const from = col * per * chart.binMs;
        const to = from + per * chart.binMs;
        return bands.some((b) => b.fromMs < to && b.toMs > from) ? '▒' : ' ';
      })
        .join('')
        .trimEnd();
      out.push(indent + c.dim(marks));
    }
    const start = '0 s';
    const end = `${+(spanMs / 1000).toFixed(1)} s`;
    const gap = Math.max(1, pooledLength - start.length - end.length);
    out.push(c.dim(`${indent}${start}${' '.repeat(gap)}${end}`));
  }

  const fitName = (name: string): string => (name.length > width - 3 ? `${name.slice(0, width - 4)}…` : name);
  const legend = [
    ...chart.series.map((s, i) => `${hue(i)(i === 0 ? '──' : glyph(i).repeat(2))} ${fitName(s.name)}`),
    ...[...new Set((chart.bands ?? []).map((b) => b.label))].map((label) => `${c.dim('▒▒')} ${fitName(label)}`),
  ];
  out.push(...wrap(legend, width));
  return out.join('\n');
}

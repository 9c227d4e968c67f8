import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTimeSeriesSvg, writeChart, type TimeSeriesChart } from '../src/charts/svg-chart.js';
import { terminalChart } from '../src/charts/terminal-chart.js';

// A herd of 80 origin queries every 30 s before the fix, one query per boundary after it.
const before = Array.from({ length: 120 }, (_, i) => (i % 30 === 10 ? 80 : 0));
const after = Array.from({ length: 120 }, (_, i) => (i % 30 === 10 ? 1 : 0));

const beforeAfter: TimeSeriesChart = {
  title: 'Origin queries, 4 instances',
  yLabel: 'origin queries/s',
  binMs: 1000,
  series: [
    { name: 'before & no coalescing', values: before },
    { name: 'after: single-flight', values: after },
  ],
  bands: [{ fromMs: 60_000, toMs: 75_000, label: 'origin down' }],
};

/** The numbers Vega printed as text: the axis tick labels. */
function numbersInText(svg: string): number[] {
  return [...svg.matchAll(/>(-?[\d.,]+)<\/text>/g)].map((m) => Number(m[1]!.replace(/,/g, '')));
}

/** The top of the y axis, from the description Vega writes for screen readers. */
function yAxisTop(svg: string): number {
  const m = /Y-axis titled '[^']*' for a \w+ scale with values from [\d.,-]+ to ([\d.,-]+)/.exec(svg);
  if (m === null) throw new Error('no y axis description in the SVG');
  return Number(m[1]!.replace(/,/g, ''));
}

const ANSI = /\x1b\[/;
const visible = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('renderTimeSeriesSvg', () => {
  it('is one SVG document naming every series and band, on a white ground, about 720x260', async () => {
    const svg = await renderTimeSeriesSvg(beforeAfter);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('before &amp; no coalescing');
    expect(svg).toContain('after: single-flight');
    expect(svg).toContain('origin down');
    expect(svg).toContain('origin queries/s');
    expect(svg).toContain('width="720" height="260"');
    expect(svg).toMatch(/<rect width="720" height="260" fill="white"\/>/);
  });

  it('is byte-identical when rendered twice (Vega’s counted clip ids are renumbered)', async () => {
    const a = await renderTimeSeriesSvg(beforeAfter);
    const b = await renderTimeSeriesSvg(beforeAfter);
    expect(b).toBe(a);
    expect(a).not.toMatch(/clip\d/);
    const ids = [...a.matchAll(/id="([^"]+)"/g)].map((m) => m[1]!);
    for (const id of ids) expect(a).toContain(`url(#${id})`);
  });

  it('draws all series on one y axis: the small series does not get its own scale', async () => {
    const both = await renderTimeSeriesSvg({ ...beforeAfter, bands: [] });
    expect(yAxisTop(both)).toBeGreaterThanOrEqual(80);
    expect(numbersInText(both)).toContain(80);
    const alone = await renderTimeSeriesSvg({ ...beforeAfter, bands: [], series: [beforeAfter.series[1]!] });
    expect(yAxisTop(alone)).toBeLessThan(5);
  });

  it('honours a fixed y max and a symlog scale', async () => {
    const capped = await renderTimeSeriesSvg({ ...beforeAfter, bands: [], binMs: 100, yScale: { max: 20 } });
    expect(yAxisTop(capped)).toBe(20);
    const symlog = await renderTimeSeriesSvg({ ...beforeAfter, yScale: { type: 'symlog' } });
    expect(symlog).toContain('for a symlog scale');
    // Log-spaced ticks, so the low end (one query) can be read.
    expect(numbersInText(symlog)).toEqual(expect.arrayContaining([0, 1, 10, 50]));
  });

  it('draws series with a panel in panels of their own, stacked, one per panel name', async () => {
    const paneled = await renderTimeSeriesSvg({
      ...beforeAfter,
      series: beforeAfter.series.map((s, i) => ({ ...s, panel: i === 0 ? 'panel one: before' : 'panel two: after' })),
    });
    expect(paneled).toContain('panel one: before');
    expect(paneled).toContain('panel two: after');
    expect(paneled).toContain(beforeAfter.series[1]!.name);
  });

  it('renders empty, all-zero and series-less charts without throwing', async () => {
    const empty = await renderTimeSeriesSvg({ title: 'empty', yLabel: 'q/s', binMs: 1000, series: [{ name: 'nothing', values: [] }] });
    expect(empty).toContain('nothing');
    const zero = await renderTimeSeriesSvg({ title: 'zero', yLabel: 'q/s', binMs: 100, series: [{ name: 'idle', values: [0, 0, 0] }] });
    expect(zero).toContain('idle');
    const none = await renderTimeSeriesSvg({ title: 'none', yLabel: 'q/s', binMs: 1000, series: [] });
    expect(none.startsWith('<svg')).toBe(true);
  });

  it('writeChart writes the same SVG to a file, creating its folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'herd-chart-'));
    try {
      const file = join(dir, 'figures', 'herd.svg');
      await writeChart(file, beforeAfter);
      expect((await readFile(file, 'utf8')).trimEnd()).toBe(await renderTimeSeriesSvg(beforeAfter));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('terminalChart', () => {
  it('fits the width, never narrower than 40 columns', () => {
    for (const width of [40, 63, 80, 132]) {
      const lines = terminalChart(beforeAfter, { width, colour: true }).split('\n');
      for (const line of lines) expect(visible(line).length).toBeLessThanOrEqual(width);
    }
    const tiny = terminalChart(beforeAfter, { width: 10, colour: false }).split('\n');
    for (const line of tiny) expect(line.length).toBeLessThanOrEqual(40);
  });

  it('shows a legend with every series and band, and no ANSI codes when colour is off', () => {
    const plain = terminalChart(beforeAfter, { width: 100, colour: false });
    expect(plain).not.toMatch(ANSI);
    expect(plain).toContain('── before & no coalescing');
    // Without colour the series differ by glyph: the first is a line, the second a row of points.
    expect(plain).toContain('•• after: single-flight');
    expect(plain.split('\n').some((l) => l.includes('•'))).toBe(true);
    expect(plain).toContain('▒▒ origin down');
    expect(plain.split('\n')[0]).toContain('Origin queries, 4 instances');
    expect(terminalChart(beforeAfter, { width: 100, colour: true })).toMatch(ANSI);
  });

  it('puts every series on one scale and keeps a one-bin spike when pooling', () => {
    const long = new Array<number>(1000).fill(0);
    long[503] = 80;
    const plain = terminalChart({ title: 't', yLabel: 'q/s', binMs: 100, series: [{ name: 'calm', values: after }, { name: 'herd', values: long }] }, { width: 50, height: 8, colour: false });
    const rows = plain.split('\n');
    expect(rows[1]).toMatch(/^\s*80 ┤/);
    // The spike (the second series, drawn in points) reaches the top row.
    expect(rows[1]).toMatch(/•/);
  });

  it('copes with empty and all-zero series', () => {
    expect(terminalChart({ title: 'e', yLabel: 'q', binMs: 1000, series: [{ name: 'none', values: [] }] }, { colour: false })).toContain('(no data)');
    const zero = terminalChart({ title: 'z', yLabel: 'q', binMs: 1000, series: [{ name: 'idle', values: [0, 0, 0] }] }, { colour: false });
    expect(zero).toContain('── idle');
    expect(() => terminalChart({ title: 'n', yLabel: 'q', binMs: 1000, series: [] }, { colour: false })).not.toThrow();
  });
});

/**
 * Time-series charts as SVG files for the docs, drawn by Vega-Lite (compiled) and Vega (rendered
 * headless with `renderer: 'none'`, so no canvas or browser is needed).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface TimeSeriesChart {
  title: string;
  /** y-axis label, e.g. "origin queries/s" */
  yLabel: string;
  /** Width of one bin in ms (1000 for per-second series, 100 for per-100ms). x axis is time in seconds. */
  binMs: number;
  /**
   * Series drawn on ONE shared y axis, e.g. before and after on the identical scenario. Series
   * with a `panel` are drawn in panels by that name, stacked, on the same axes (a crowded chart:
   * one panel per variant); the terminal chart ignores panels.
   */
  series: Array<{ name: string; values: readonly number[]; panel?: string }>;
  /** Shaded time ranges (faults: "origin down"), optional. */
  bands?: Array<{ fromMs: number; toMs: number; label: string }>;
  /** Optional: log scale or a fixed y max. */
  yScale?: { type?: 'linear' | 'symlog'; max?: number };
}

/** Shared with the terminal chart so a series keeps its hue in both (Vega's own tableau10 order). */
export const SERIES_COLOURS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#b279a2', '#72b7b2', '#9d755d', '#bab0ac'] as const;

const WIDTH = 720;
const HEIGHT = 260;

/** The chart's overall size in px; the spec asks Vega to fit axes, legend and title inside it. */
export const SVG_SIZE = { width: WIDTH, height: HEIGHT } as const;

/** Pure data in, Vega-Lite spec out: kept apart from rendering so the spec can be inspected or tested. */
export function timeSeriesSpec(chart: TimeSeriesChart): TopLevelSpec {
  const binS = chart.binMs / 1000;
  const rows: Array<{ t: number; v: number; s: string }> = [];
  let longest = 0;
  let peak = 0;
  for (const { name, values } of chart.series) {
    longest = Math.max(longest, values.length);
    values.forEach((v, i) => {
      rows.push({ t: (i * chart.binMs) / 1000, v, s: name });
      if (v > peak) peak = v;
    });
    // A count belongs to its whole bin: with step-after lines, the last bin needs a closing point.
    if (values.length > 0) rows.push({ t: (values.length * chart.binMs) / 1000, v: values[values.length - 1]!, s: name });
  }
  const bands = (chart.bands ?? []).map((b) => ({ from: b.fromMs / 1000, to: b.toMs / 1000, label: b.label }));
  const endS = Math.max(longest * binS, ...bands.map((b) => b.to), 0) || 1;

  const symlog = chart.yScale?.type === 'symlog';
  const fixedMax = chart.yScale?.max;
  // An explicit domain keeps all-zero and empty charts drawable (Vega cannot scale [0, 0]); the
  // headroom keeps a peak's flat top off the clipped edge, where half its stroke would vanish.
  const yMax = fixedMax ?? Math.max(peak * (symlog ? 1.5 : 1.05), 1);
  const names = chart.series.map((s) => s.name);
  // Vega's symlog ticks come out evenly spaced (0, 20, 40...), hiding the low end the log is for.
  const logTicks = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000].filter((t) => t <= yMax);

  const x = { field: 't', type: 'quantitative', title: 'time (s)', scale: { domain: [0, endS], nice: false, zero: true } } as const;

  // In a panel, the legend drops the panel's name where a series name starts with it: the panel's
  // title says it once.
  const layersFor = (only: ReadonlySet<string>, panel = ''): unknown[] => {
    const panelNames = names.filter((n) => only.has(n));
    const layers: unknown[] = [];
    if (bands.length > 0) {
      layers.push(
        {
          data: { values: bands },
          mark: { type: 'rect', color: '#9e9e9e', opacity: 0.18, clip: true },
          encoding: { x: { ...x, field: 'from' }, x2: { field: 'to' } },
        },
        {
          data: { values: bands },
          mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 3, fontSize: 10, color: '#555555', clip: true },
          encoding: { x: { ...x, field: 'from' }, y: { value: 0 }, text: { field: 'label' } },
        },
      );
    }
    layers.push({
      data: { values: rows.filter((r) => only.has(r.s)) },
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5, clip: true },
      encoding: {
        x,
        y: {
          field: 'v',
          type: 'quantitative',
          title: chart.yLabel,
          ...(symlog ? { axis: { values: logTicks } } : {}),
          scale: { type: symlog ? 'symlog' : 'linear', domain: [0, yMax], nice: fixedMax === undefined, zero: true },
        },
        color: {
          field: 's',
          type: 'nominal',
          // Read out by screen readers through the marks' aria labels, though the legend shows no title.
          title: 'series',
          // The caller's order, not alphabetical: "before" stays first and keeps its colour.
          scale: { domain: panelNames, range: panelNames.map((n) => SERIES_COLOURS[names.indexOf(n) % SERIES_COLOURS.length]!) },
          // At most three to a row, so long names wrap onto a second row instead of running off the edge.
          legend:
            panelNames.length > 0
              ? {
                  title: null,
                  orient: 'top',
                  direction: 'horizontal',
                  columns: Math.min(3, panelNames.length),
                  labelLimit: 220,
                  ...(panel !== '' && panelNames.every((n) => n.startsWith(`${panel}: `)) ? { labelExpr: `substring(datum.label, ${panel.length + 2})` } : {}),
                }
              : null,
        },
      },
    });
    return layers;
  };
  const panels = [...new Set(chart.series.map((s) => s.panel ?? ''))];
  const inPanel = (p: string): Set<string> => new Set(chart.series.filter((s) => (s.panel ?? '') === p).map((s) => s.name));

  return {
    title: { text: chart.title, anchor: 'start', fontSize: 13 },
    ...(panels.length <= 1 ? { width: WIDTH, height: HEIGHT } : {}),
    ...(panels.length <= 1 ? { autosize: { type: 'fit', contains: 'padding' } } : {}),
    padding: 8,
    // An opaque white ground keeps the dark axis text readable on GitHub's dark theme too.
    background: 'white',
    config: { view: { stroke: null }, font: 'Helvetica, Arial, sans-serif', axis: { grid: true, gridColor: '#e6e6e6' } },
    ...(panels.length <= 1
      ? { layer: layersFor(new Set(names)) }
      : {
          // Each panel keeps its own colours and legend: the series are distinct by name, and one
          // scale shared across panels would merge their domains.
          resolve: { scale: { color: 'independent' } },
          vconcat: panels.map((p) => ({
            title: { text: p, anchor: 'start', fontSize: 11, fontWeight: 'normal' },
            width: WIDTH,
            height: Math.round(HEIGHT / 1.6),
            layer: layersFor(inPanel(p), p),
          })),
        }),
  } as TopLevelSpec;
}

/**
 * Vega numbers clip paths and gradients from module-level counters, so a second render in the same
 * process would get different ids: renumber them in order of first appearance.
 */
function normaliseIds(svg: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) {
    const id = m[1]!;
    if (!ids.has(id)) ids.set(id, `herd-${ids.size + 1}`);
  }
  if (ids.size === 0) return svg;
  return svg.replace(/\bid="([^"]+)"|url\(#([^)]+)\)|href="#([^"]+)"/g, (whole, a?: string, b?: string, c?: string) => {
    const id = (a ?? b ?? c)!;
    const to = ids.get(id);
    if (to === undefined) return whole;
    return a !== undefined ? `id="${to}"` : b !== undefined ? `url(#${to})` : `href="#${to}"`;
  });
}

export async function renderTimeSeriesSvg(chart: TimeSeriesChart): Promise<string> {
  const { spec } = compile(timeSeriesSpec(chart));
  const view = new View(parse(spec), { renderer: 'none' });
  try {
    return normaliseIds(await view.toSVG());
  } finally {
    view.finalize();
  }
}

export async function writeChart(file: string, chart: TimeSeriesChart): Promise<void> {
  const svg = await renderTimeSeriesSvg(chart);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, svg.endsWith('\n') ? svg : `${svg}\n`);
}

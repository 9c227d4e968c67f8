/**
 * What a room of learners reads fits an 80-column terminal without colour: every built module's
 * headline table and demo (played fast, in this process, the reference's), and its hints. Prose
 * may wrap (the CLIs' console net does it, fitLines); a table, a chart or a row of columns never
 * needs to: a columnar line over 80 columns fails here. Grade tables are checked where the
 * references are graded (both-directions.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { fitLines } from '../src/cli/main.js';
import type { HeadlineTable } from '../src/define.js';
import { headlineTable } from '../src/headline.js';
import { loadExports, mainFile } from '../src/load-learner.js';
import { manifest } from '../src/manifest.js';
import { renderHeadline, terminalWidth, width, wrap } from '../src/render.js';

const W = 80;

describe.each(manifest.map((m) => [m.id, m] as const))('%s fits 80 columns', (_id, def) => {
  it('headline table, demo and hints', async () => {
    expect(terminalWidth()).toBe(W);
    const exports = await loadExports(def, 'solution');
    let table: Promise<HeadlineTable | undefined> | undefined;
    const headline = (): Promise<HeadlineTable | undefined> => (table ??= headlineTable(def, 'solution', 1));
    const printed: string[] = [];
    const h = await headline();
    if (h !== undefined) printed.push(renderHeadline(h));
    for (const hint of def.hints) printed.push(...wrap(hint, W - 5).map((l) => `  1. ${l}`));
    const wide = printed.join('\n').split('\n').filter((l) => width(l) > W);
    expect(wide, 'headline or hint lines over 80 columns').toEqual([]);

    if (def.demo === undefined) return;
    const captured: string[] = [];
    const real = { log: console.log, error: console.error };
    console.log = console.error = (...args: unknown[]) => void captured.push(args.map(String).join(' '));
    try {
      await def.demo({ def, target: 'solution', seed: 1, exports, file: mainFile(def, 'solution'), live: false, flags: new Set(), values: new Map(), headline });
    } finally {
      Object.assign(console, real);
    }
    const overflow = captured.flatMap((text) => fitLines(text, W).columnarOverflow);
    expect(overflow, 'demo tables or charts over 80 columns').toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { detectWaves, meanOver, recoveryTime, sumOver } from './figures.js';
import { WindowMean } from './window-mean.js';

describe('figures', () => {
  it('averages and sums a window of bins given in ms', () => {
    const s = [1, 2, 3, 4, 5, 6];
    expect(meanOver(s, 100, 100, 400)).toBe(3);
    expect(sumOver(s, 100, 0, 250)).toBe(6);
    expect(meanOver(s, 100, 500, 10_000)).toBe(6);
    expect(meanOver(s, 100, 700, 800)).toBeNaN();
  });

  it('measures recovery from a fault end until goodput holds within 10% of offered for the sustain window', () => {
    const offered = Array(30).fill(10);
    const goodput = [...Array(10).fill(10), ...Array(5).fill(0), 9, 3, ...Array(13).fill(10)];
    // Fault ends at 1000 ms; from bin 17 on goodput holds (bin 15 alone is not enough).
    expect(recoveryTime(goodput, offered, 100, 1000, { sustainMs: 500 })).toBe(700);
    expect(recoveryTime(goodput.map(() => 0), offered, 100, 1000)).toBeNull();
    expect(recoveryTime(offered, offered, 100, 1000)).toBe(0);
  });

  it('tells synchronised waves from smooth traffic', () => {
    const waves = Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? 1000 : 0));
    const smooth = Array.from({ length: 100 }, (_, i) => 100 + (i % 3));
    expect(detectWaves(waves, 100, 0, 10_000)).toEqual({ peak: 1000, mean: 100, ratio: 10, peakAtMs: 0, waves: 10 });
    const w = detectWaves(smooth, 100, 0, 10_000);
    expect(w.ratio).toBeLessThan(1.02);
    expect(w.waves).toBe(0);
  });

  it('keeps a trailing-window mean in ten steps', () => {
    const m = new WindowMean(1000);
    m.add(0, 10);
    m.add(550, 20);
    expect(m.mean(999)).toBe(15);
    expect(m.mean(1099)).toBe(20);
    expect(m.mean(1600)).toBe(0);
  });
});

/** Per-second sums of a per-100 ms series: what the charts and sparklines of module 13 draw. */
export const perSecond = (series: readonly number[], binMs: number): number[] => {
  const per = Math.round(1000 / binMs);
  const out: number[] = [];
  for (let i = 0; i < series.length; i += per) {
    let sum = 0;
    for (let j = i; j < Math.min(series.length, i + per); j++) sum += series[j]!;
    out.push(sum);
  }
  return out;
};

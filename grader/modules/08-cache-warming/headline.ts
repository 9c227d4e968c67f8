import type { HeadlineContext, HeadlineTable } from '../../src/define.js';
export async function headline(ctx: HeadlineContext): Promise<HeadlineTable> {
  return { scenario: `seed ${ctx.seed}`, figures: [], runs: [] };
}

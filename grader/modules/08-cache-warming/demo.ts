import type { DemoContext } from '../../src/define.js';
export async function demo(_ctx: DemoContext): Promise<number> {
  return 0;
}

/**
 * The child side of gradeIsolated: grades one module in this process, reporting each check as it
 * starts, then the result. Learner code runs here, so a loop that never yields blocks only this
 * process, and the parent's watchdog can end it. A `ping` is answered whenever the event loop is
 * free: the parent tells a blocked loop from a wait that never ends by it.
 */
import type { ModuleDefinition } from './define.js';
import { gradeModule } from './grade.js';
import type { ChildReply, ChildRequest } from './isolated.js';
import type { ModuleSpec } from './manifest.js';

const send = (m: ChildReply): Promise<void> => new Promise((resolve) => process.send!(m, undefined, {}, () => resolve()));

process.on('message', (raw) => {
  const req = raw as ChildRequest | { type: 'ping' };
  if ('type' in req) {
    void send({ type: 'pong' });
    return;
  }
  void (async () => {
    // Only this module's folder, not the whole course: the child starts faster.
    const def = ((await import(`../modules/${req.definition}/module.js`)) as { default: ModuleDefinition }).default;
    await send({ type: 'ready' });
    const spec: ModuleSpec = { ...def, ...(req.dir === undefined ? {} : { dir: req.dir }), ...(req.files === undefined ? {} : { files: req.files }) };
    const result = await gradeModule(spec, req.target, {
      ...req.options,
      onCheck: (name, seed) => void send({ type: 'check', name, seed }),
      onResult: (check) => void send({ type: 'done', check }),
    });
    await send({ type: 'result', result });
    process.exit(0);
  })().catch(async (error: unknown) => {
    await send({ type: 'crash', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  });
});
// The parent is gone: nothing left to report to.
process.on('disconnect', () => process.exit(0));

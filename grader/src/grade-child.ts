/**
 * The child side of gradeIsolated: grades one module in this process, reporting each check as it
 * starts, then the result. Learner code runs here, so a loop that never yields blocks only this
 * process, and the parent's watchdog can end it.
 */
import { gradeModule } from './grade.js';
import { findModule } from './manifest.js';
import type { ChildRequest, ChildReply } from './isolated.js';

const send = (m: ChildReply): Promise<void> => new Promise((resolve) => process.send!(m, undefined, {}, () => resolve()));

process.once('message', (raw) => {
  const req = raw as ChildRequest;
  void (async () => {
    const base = findModule(req.checksId)!;
    const spec = { ...base, id: req.id, files: req.files };
    const result = await gradeModule(
      spec,
      req.target,
      {
        ...req.options,
        onCheck: (name, seed) => void send({ type: 'check', name, seed }),
        onResult: (check) => void send({ type: 'done', check }),
      },
      req.checksId,
    );
    await send({ type: 'result', result });
    process.exit(0);
  })().catch(async (error: unknown) => {
    await send({ type: 'crash', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  });
});
// The parent is gone: nothing left to report to.
process.on('disconnect', () => process.exit(0));

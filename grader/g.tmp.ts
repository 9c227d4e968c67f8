import def from './modules/07-negative-caching/module.js';
import { gradeModule } from './src/grade.js';
const t = performance.now();
const r = await gradeModule(def, 'solution', { seeds: [1], only: ['scan: negative entries bounded'] });
console.log(Math.round(performance.now() - t), 'ms', r.checks.map((c) => c.status + ' ' + c.measured));

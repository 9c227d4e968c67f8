/**
 * The load shedding module 11 injects into every node when the learner turns it on: module 10's
 * reference (solutions/10-load-shedding/admission.ts, createAdmission), loaded once per process.
 * It sheds by how long the head of the queue has waited, per priority, and never sheds critical
 * requests, which is what health checks travel as.
 */
import type { AdmissionFactory } from '@herd/harness/engine';
import type { ModuleSpec } from '../../src/manifest.js';

/** Module 10's file and export, named here so a rename there fails loudly here. */
const TEN: ModuleSpec = {
  id: '10-load-shedding',
  title: 'load shedding',
  summary: '',
  files: { 'admission.ts': ['createAdmission'] },
  hints: [],
  checks: [],
};

let loaded: Promise<AdmissionFactory> | undefined;

export function loadShedding(): Promise<AdmissionFactory> {
  loaded ??= (async () => {
    // Imported here: the course list imports this module, and load-learner is fine to import late.
    const { loadExports } = await import('../../src/load-learner.js');
    const exports = await loadExports(TEN, 'solution');
    return exports.createAdmission as AdmissionFactory;
  })();
  return loaded;
}

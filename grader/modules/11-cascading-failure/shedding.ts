/**
 * The load shedding module 11 injects into every node when the learner turns it on: module 10's
 * reference (solutions/10-load-shedding/admission.ts, createAdmission), loaded once per process.
 * It sheds by how long the head of the queue has waited, per priority, and never sheds critical
 * requests, which is what health checks travel as.
 */
import type { AdmissionFactory } from '@herd/harness/engine';
import { referenceExports } from '../../src/load-learner.js';
import sheddingModule from '../10-load-shedding/module.js';

export async function loadShedding(): Promise<AdmissionFactory> {
  return (await referenceExports(sheddingModule)).createAdmission as AdmissionFactory;
}

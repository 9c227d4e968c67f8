/**
 * Module 06: every variant of grader/test/fixtures/06-ttl-jitter/ has a verdict. The jitter
 * mistakes (mutations.ts: its shape, where it is drawn, which writes get it, a TTL shortened to
 * hide the herd) and the blind batch (blind.ts, written without the grader: buckets, a rounded
 * or clamped draw, a draw per tick or per instance, a sliding or absolute expiry, a single flight
 * per call, an error cached as null) each fail the check that names their symptom, with the
 * message that says so; correct code written differently (rng.between, whole ms, a class, the
 * draw inlined, forked streams, a jittering cache wrapper) passes every check. Seed 1 here;
 * `pnpm verdicts 06` grades the same variants on eight seeds.
 */
import ttlJitter from '../modules/06-ttl-jitter/module.js';
import { moduleVariants, variantsSuite } from './support/verdicts.js';

variantsSuite(ttlJitter, await moduleVariants(ttlJitter));

/** Tiny argument parsing shared by the CLIs: positionals plus known flags; anything else is an error. */
import { GraderError } from '../learner-error.js';

export interface Parsed {
  positionals: string[];
  flags: Set<string>;
  values: Map<string, string>;
}

export function parseArgs(argv: string[], booleans: string[], withValue: string[] = []): Parsed {
  const parsed: Parsed = { positionals: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') continue;
    if (!a.startsWith('--')) {
      parsed.positionals.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (booleans.includes(name)) parsed.flags.add(name);
    else if (withValue.includes(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new GraderError(`--${name} needs a value`);
      parsed.values.set(name, v);
    } else {
      const known = [...booleans, ...withValue].map((f) => `--${f}`).join(' ');
      throw new GraderError(`unknown option ${a} (known: ${known})`);
    }
  }
  return parsed;
}

/** `--seed S`: a whole number, or the default; anything else is an error, never NaN. */
export function parseSeed(raw: string | undefined, fallback = 1): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new GraderError(`--seed takes a whole number, got "${raw}"`);
  return Number(raw);
}

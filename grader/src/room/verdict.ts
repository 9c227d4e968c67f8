/**
 * What a learner may post to a room: the verdict of one module's grade (module, status, each
 * check's name, status and measured figure), never code. Anything else is refused, field named.
 */
import { STATUSES, type RoomCheck, type VerdictStatus } from './state.js';

export interface PostedVerdict {
  name: string;
  module: string;
  status: VerdictStatus;
  checks: RoomCheck[];
  gradedAt: string;
}

export interface RoomModule {
  id: string;
  title: string;
  /** The module's check names, when the room knows them: a posted check must be one of them. */
  checks?: readonly string[];
}

const FIELDS = ['name', 'module', 'status', 'checks', 'gradedAt'];
const CHECK_FIELDS = ['name', 'status', 'measured', 'target', 'seed'];
export const NAME_RE = /^[\p{L}\p{N}][\p{L}\p{N} ._'-]{0,39}$/u;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The verdict, or the reason it is refused (one line, for a 422). */
export function parseVerdict(body: unknown, modules: readonly RoomModule[]): PostedVerdict | string {
  if (!isObject(body)) return 'the body must be a JSON object';
  const extra = Object.keys(body).filter((k) => !FIELDS.includes(k));
  if (extra.length > 0) return `unknown field ${JSON.stringify(extra[0])}: a verdict holds only ${FIELDS.join(', ')}`;
  const { name, module, status, checks, gradedAt } = body;
  if (typeof name !== 'string' || !NAME_RE.test(name)) return 'name: 1 to 40 letters, digits, spaces, dots, dashes or apostrophes, starting with a letter or digit';
  const spec = modules.find((m) => m.id === module);
  if (spec === undefined) return `module: ${JSON.stringify(module)} is not a module of this course`;
  if (typeof status !== 'string' || !STATUSES.includes(status as VerdictStatus)) return `status: one of ${STATUSES.join(', ')}`;
  if (!Array.isArray(checks) || checks.length === 0 || checks.length > 50) return 'checks: an array of 1 to 50 checks';
  const parsed: RoomCheck[] = [];
  for (const [i, c] of checks.entries()) {
    if (!isObject(c)) return `checks[${i}]: an object`;
    const extraC = Object.keys(c).filter((k) => !CHECK_FIELDS.includes(k));
    if (extraC.length > 0) return `checks[${i}]: unknown field ${JSON.stringify(extraC[0])}`;
    if (typeof c.name !== 'string' || c.name.length === 0 || c.name.length > 80) return `checks[${i}].name: a string of 1 to 80 characters`;
    if (spec.checks !== undefined && !spec.checks.includes(c.name)) return `checks[${i}].name: ${spec.id} has no check ${JSON.stringify(c.name)}`;
    if (typeof c.status !== 'string' || !STATUSES.includes(c.status as VerdictStatus)) return `checks[${i}].status: one of ${STATUSES.join(', ')}`;
    const measured = c.measured ?? '';
    if (typeof measured !== 'string' || measured.length > 300) return `checks[${i}].measured: a string of at most 300 characters`;
    parsed.push({ name: c.name, status: c.status as VerdictStatus, measured });
  }
  if (gradedAt !== undefined && (typeof gradedAt !== 'string' || Number.isNaN(Date.parse(gradedAt)))) return 'gradedAt: an ISO date';
  return { name, module: spec.id, status: status as VerdictStatus, checks: parsed, gradedAt: (gradedAt as string | undefined) ?? '' };
}

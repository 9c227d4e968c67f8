/**
 * Leitner boxes for `pnpm drill`, kept in .herd/drill.json (git-ignored). A question starts in
 * box 1; "knew it" moves it up a box, "partly" keeps it where it is, "missed" sends it back to
 * box 1. A question in box b comes back 2^(b-1) drill sessions later (1, 2, 4, 8, 16), so one
 * answered well comes back later and less often, and a missed one comes back first next time.
 * Time is counted in sessions, not days: a learner who drills twice a week and one who drills
 * twice a day see the same order.
 */
import { readFileSync } from 'node:fs';
import { writeJsonAtomic } from '../state-file.js';
import path from 'node:path';

export type Rating = 'knew' | 'partly' | 'missed';
export const BOXES = 5;

export interface Card {
  box: number;
  /** The session from which it is due again. */
  due: number;
  last?: Rating;
  /** How many times it was answered. */
  seen: number;
}

export interface DrillState {
  /** Sessions started so far. */
  session: number;
  /** By "NN-name/question-id". */
  cards: Record<string, Card>;
}

export const cardKey = (moduleId: string, questionId: string): string => `${moduleId}/${questionId}`;
export const interval = (box: number): number => 2 ** (box - 1);
export const cardOf = (state: DrillState, key: string): Card => state.cards[key] ?? { box: 1, due: 0, seen: 0 };

export function readDrillState(file: string): DrillState {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<DrillState>;
    return { session: typeof s.session === 'number' ? s.session : 0, cards: s.cards ?? {} };
  } catch {
    return { session: 0, cards: {} };
  }
}

/** Written atomically: a drill stopped with Ctrl-C never leaves half a file. */
export function writeDrillState(file: string, state: DrillState): void {
  writeJsonAtomic(file, state);
}

/**
 * Starts a session over `keys`: the session counter moves on, and when nothing is due yet it
 * moves on to the first session in which something is (there is no "come back tomorrow").
 */
export function startSession(state: DrillState, keys: readonly string[]): void {
  state.session++;
  const dues = keys.map((k) => cardOf(state, k).due);
  const first = Math.min(...dues);
  if (dues.length > 0 && first > state.session) state.session = first;
}

const rank = (c: Card): number => (c.last === 'missed' ? 0 : c.last === 'partly' ? 1 : 2);

/** The due questions, missed ones first, then partly, then by box (lower first); else in course order. */
export function dueKeys(state: DrillState, keys: readonly string[], limit = Infinity): string[] {
  return keys
    .map((key, order) => ({ key, order, card: cardOf(state, key) }))
    .filter((e) => e.card.due <= state.session)
    .sort((a, b) => rank(a.card) - rank(b.card) || a.card.box - b.card.box || a.order - b.order)
    .slice(0, limit)
    .map((e) => e.key);
}

/** Records an answer; returns the card as it now is. */
export function rate(state: DrillState, key: string, rating: Rating): Card {
  const before = cardOf(state, key);
  const box = rating === 'knew' ? Math.min(BOXES, before.box + 1) : rating === 'missed' ? 1 : before.box;
  const card: Card = { box, due: state.session + interval(box), last: rating, seen: before.seen + 1 };
  state.cards[key] = card;
  return card;
}

/**
 * `pnpm drill`: what it asks and how it lays it out. Plain text only (no colour), every line
 * within the terminal's width (80 at most), and the same items as a study sheet when piped.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { paragraph, terminalWidth } from '../render.js';
import type { SavedGrade } from '../saved-grade.js';
import type { Interview, InterviewQuestion } from './define.js';
import { cardKey, cardOf, dueKeys, interval, rate, startSession, type DrillState, type Rating } from './leitner.js';

/** One module's interview, with the learner's verdict when it is theirs to quote. */
export interface DrillModule {
  id: string;
  title: string;
  interview: Interview;
  /** The learner's saved passing grade of the files as they are now, when there is one. */
  grade?: SavedGrade;
}

export interface DrillItem {
  module: DrillModule;
  question: InterviewQuestion;
  key: string;
  /** 1-based, within the module. */
  n: number;
}

export const itemsOf = (modules: readonly DrillModule[]): DrillItem[] =>
  modules.flatMap((module) => module.interview.questions.map((question, i) => ({ module, question, key: cardKey(module.id, question.id), n: i + 1 })));

/** Markdown inline to terminal text: *emphasis* loses its stars, `code` keeps its backticks. */
const plain = (md: string): string => md.replace(/(^|[^*\w])\*(\S[^*]*?)\*(?!\w)/g, '$1$2');

/** The learner's own figure for an answer, or what to do to see one. */
export function yourFigure(item: DrillItem): string | undefined {
  const { question, module } = item;
  if (question.yours === undefined) return undefined;
  if (module.grade === undefined) return `(your own figure goes here once \`pnpm grade ${module.id.slice(0, 2)}\` passes on your files as they are)`;
  const checks = module.grade.checks;
  try {
    return question.yours((name) => checks.find((c) => c.name === name)?.measured);
  } catch {
    return undefined;
  }
}

const block = (label: string, text: string, indent: number, w: number): string => {
  const pad = ' '.repeat(indent);
  return pad + paragraph(`${label}${plain(text)}`, indent, w);
};

/** The study sheet: every item with its answer, grouped by module, in course order. */
export function studySheet(modules: readonly DrillModule[], w = terminalWidth()): string {
  const out: string[] = [];
  for (const m of modules) {
    const when = m.grade ? `figures from your grade of ${m.grade.gradedAt.slice(0, 10)}` : 'no grade of yours to quote yet';
    out.push(paragraph(`${m.id.slice(0, 2)} ${m.title}: interview follow-ups (${when})`, 2, w), '');
    for (const item of itemsOf([m])) {
      const num = `${item.n}.`.padEnd(3);
      out.push(`${num}${paragraph(plain(item.question.q), 3, w)}`);
      out.push(block('Answer: ', item.question.a, 3, w));
      const fig = yourFigure(item);
      if (fig !== undefined) out.push(block('', fig, 3, w));
      out.push('');
    }
  }
  out.push(paragraph('At a terminal, pnpm drill asks these one at a time and brings back the ones you missed first.', 0, w));
  return out.join('\n');
}

const RATINGS: Record<string, Rating> = { k: 'knew', p: 'partly', m: 'missed' };
const SAID: Record<Rating, string> = { knew: 'knew it', partly: 'partly', missed: 'missed' };

export interface SessionIO {
  input: Readable;
  output: Writable;
  width?: number;
}

/**
 * One interactive session over `items` (already in the order to ask): question, Enter, model
 * answer, rating. Updates `state` after each rating (and calls `save`); `q` or end of input stops.
 * Returns how many questions were rated.
 */
export async function runSession(items: readonly DrillItem[], state: DrillState, io: SessionIO, save: () => void): Promise<Record<Rating, number>> {
  const w = io.width ?? terminalWidth();
  const rl = createInterface({ input: io.input, terminal: false });
  const lines: string[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  rl.on('line', (l) => {
    lines.push(l);
    wake?.();
  });
  rl.on('close', () => {
    closed = true;
    wake?.();
  });
  const readLine = async (): Promise<string | undefined> => {
    while (lines.length === 0 && !closed) await new Promise<void>((r) => (wake = r));
    return lines.shift();
  };
  const say = (text: string): void => void io.output.write(`${text}\n`);
  const prompt = (text: string): void => void io.output.write(text);

  const tally: Record<Rating, number> = { knew: 0, partly: 0, missed: 0 };
  try {
    for (const [i, item] of items.entries()) {
      const card = cardOf(state, item.key);
      const where = card.seen === 0 ? 'new' : `box ${card.box}, last time ${SAID[card.last!]}`;
      const head = `-- ${i + 1} of ${items.length}: ${item.module.id.slice(0, 2)} ${item.module.title}, question ${item.n} (${where}) `;
      say('');
      say(head.length < w ? head + '-'.repeat(w - head.length) : head.slice(0, w));
      say('');
      say(block('', item.question.q, 2, w));
      say('');
      prompt('  Answer aloud or on paper, then press Enter for the model answer (q stops): ');
      const go = await readLine();
      if (go === undefined || go.trim().toLowerCase() === 'q') break;
      say('');
      say(block('Model answer: ', item.question.a, 2, w));
      const fig = yourFigure(item);
      if (fig !== undefined) {
        say('');
        say(block('', fig, 2, w));
      }
      say('');
      let rating: Rating | undefined;
      let stop = false;
      while (rating === undefined && !stop) {
        prompt('  How did it go? k = knew it, p = partly, m = missed, q = stop: ');
        const answer = await readLine();
        if (answer === undefined || answer.trim().toLowerCase() === 'q') stop = true;
        else rating = RATINGS[answer.trim().toLowerCase().slice(0, 1)];
      }
      if (rating === undefined) break;
      const now = rate(state, item.key, rating);
      save();
      tally[rating]++;
      const back = interval(now.box) === 1 ? 'back next session' : `back in ${interval(now.box)} sessions`;
      say(`  ${SAID[rating]}: box ${now.box}, ${back}.`);
    }
  } finally {
    rl.close();
  }
  return tally;
}

/** The order `pnpm drill` asks in: a module drill asks all its questions, else the due ones. */
export function sessionItems(items: readonly DrillItem[], state: DrillState, whole: boolean, limit: number): DrillItem[] {
  const keys = items.map((i) => i.key);
  startSession(state, keys);
  if (whole) return [...items];
  const byKey = new Map(items.map((i) => [i.key, i]));
  return dueKeys(state, keys, limit).map((k) => byKey.get(k)!);
}

export function summary(tally: Record<Rating, number>, state: DrillState, items: readonly DrillItem[], w = terminalWidth()): string {
  const done = tally.knew + tally.partly + tally.missed;
  const boxes = new Map<number, number>();
  for (const i of items) boxes.set(cardOf(state, i.key).box, (boxes.get(cardOf(state, i.key).box) ?? 0) + 1);
  const inBoxes = [...boxes.entries()].sort((a, b) => a[0] - b[0]).map(([b, n]) => `box ${b}: ${n}`).join(', ');
  const lines = [
    '',
    paragraph(`${done} answered: ${tally.knew} knew it, ${tally.partly} partly, ${tally.missed} missed. These questions now sit in ${inBoxes}.`, 0, w),
    paragraph(`Next: pnpm drill (every module you have passed, missed ones first). Boxes are kept in .herd/drill.json.`, 0, w),
  ];
  return lines.join('\n');
}

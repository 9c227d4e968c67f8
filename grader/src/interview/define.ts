/**
 * A module's interview follow-ups as data (grader/modules/NN-name/interview.ts): the one source
 * for the "Interview follow-ups" list in the module's README (generated between markers by
 * `pnpm results`) and for `pnpm drill`, so the two cannot drift.
 */

/** What the learner's last saved grade of the module measured, by check name ("herd reproduced"). */
export type Measured = (check: string) => string | undefined;

export interface InterviewQuestion {
  /** Stable within the module: the Leitner box in .herd/drill.json is kept under it. */
  id: string;
  /** The question, as the README lists it (Markdown inline: `code`, *emphasis*). */
  q: string;
  /** The model answer: what a strong candidate says, in a few sentences. */
  a: string;
  /**
   * The learner's own figure, from what their passing `pnpm grade NN` measured: a sentence, or
   * undefined when the check is missing or its figure does not parse (the answer stands alone).
   */
  yours?: (measured: Measured) => string | undefined;
}

export interface Interview {
  /** The README's list style: `1.` (default) or `-`. */
  list?: 'numbered' | 'bullets';
  /** The column the README's list wraps before (98 by default): the generated list keeps its lines. */
  width?: number;
  questions: InterviewQuestion[];
}

/** Identity, typed: an interview.ts file's default export. */
export const defineInterview = (interview: Interview): Interview => interview;

/** The first match of `re` in a measured string, as its groups; undefined when it does not match. */
export function pick(measured: string | undefined, re: RegExp): string[] | undefined {
  if (measured === undefined) return undefined;
  const m = re.exec(measured);
  return m === null ? undefined : m.slice(1);
}

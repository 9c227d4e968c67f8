/**
 * The "Interview follow-ups" list of a module's README, generated from its interview data (the
 * block between the interview markers; `pnpm results` rewrites it, a test fails while it is stale).
 */
import type { Interview } from './define.js';

/** README prose wraps before 98 columns unless the module says otherwise; list items hang. */
const README_WIDTH = 98;

function wrapItem(marker: string, text: string, width = README_WIDTH): string {
  const indent = marker === '' ? '' : ' '.repeat(marker.length + 1);
  const lines: string[] = [];
  let line = marker === '' ? '' : `${marker} `;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > width - 1) {
      lines.push(line);
      line = indent + word;
    } else line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

export function interviewList(id: string, interview: Interview): string {
  const items = interview.questions.map((q, i) => wrapItem(interview.list === 'bullets' ? '-' : `${i + 1}.`, q.q, interview.width));
  const nn = id.slice(0, 2);
  return [...items, '', wrapItem('', `Drill them with the model answers: \`pnpm drill ${nn}\` once ${nn} passes (the answers quote your own measured figures), or \`pnpm drill ${nn} | less\` for a study sheet.`, interview.width)].join('\n');
}

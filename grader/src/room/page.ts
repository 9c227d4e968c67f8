/**
 * The room's one page: learners by module (status, the failing check, when they last graded) and
 * the room's three most failed checks on top. Server-rendered HTML, no script; status is written
 * in words as well as coloured, so it reads on a projector, in greyscale and to a screen reader.
 */
import type { RoomView } from './state.js';
import type { RoomModule } from './verdict.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function ago(iso: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

const WORD = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', skipped: 'SKIP' } as const;

export function renderPage(view: RoomView, modules: readonly RoomModule[], opts: { joinUrl: string; now: Date }): string {
  const title = (id: string): string => modules.find((m) => m.id === id)?.title ?? id;
  const top =
    view.mostFailed.length === 0
      ? '<p class="quiet">No failed check yet.</p>'
      : `<ol>${view.mostFailed
          .map((f) => `<li><strong>${esc(f.module.slice(0, 2))} ${esc(f.check)}</strong> <span class="quiet">(${esc(title(f.module))})</span>: ${f.failedGrades} failed grade${f.failedGrades === 1 ? '' : 's'}, ${f.stuckNow} learner${f.stuckNow === 1 ? '' : 's'} failing it now</li>`)
          .join('')}</ol>`;
  const head = modules.map((m) => `<th scope="col" title="${esc(m.title)}">${esc(m.id.slice(0, 2))}<br><span class="quiet">${esc(m.title)}</span></th>`).join('');
  const rows = view.learners
    .map((l) => {
      const times = Object.values(l.modules).map((r) => r.receivedAt).sort();
      const last = times[times.length - 1];
      const cells = modules
        .map((m) => {
          const r = l.modules[m.id];
          if (r === undefined) return '<td class="none">&ndash;</td>';
          const passed = r.checks.filter((c) => c.status === 'pass').length;
          const failing = r.checks.find((c) => c.status !== 'pass');
          const why = failing ? `<div class="check">${esc(failing.name)}</div>` : '';
          return `<td class="${r.status}"><strong>${WORD[r.status]}</strong> ${passed}/${r.checks.length}${why}<div class="quiet">${esc(ago(r.receivedAt, opts.now))}</div></td>`;
        })
        .join('');
      return `<tr><th scope="row">${esc(l.name)}</th><td class="quiet">${last ? esc(ago(last, opts.now)) : ''}</td>${cells}</tr>`;
    })
    .join('\n');
  const table =
    view.learners.length === 0
      ? '<p class="quiet">Nobody has posted yet.</p>'
      : `<table><thead><tr><th scope="col">learner</th><th scope="col">last graded</th>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="15">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tame the Herd: room ${esc(view.code)}</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:1.5rem;color:#111;background:#fff}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:1.2rem 0 .4rem}
code{background:#f2f2f2;padding:.1rem .3rem;border-radius:3px}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left}
thead th{font-size:.85rem}.quiet{color:#555;font-size:.85rem;font-weight:normal}
td.pass{background:#e3f4e1}td.fail,td.error{background:#fbe3e1}td.skipped{background:#fff4d6}td.none{color:#999;text-align:center}
.check{font-size:.85rem}
</style></head>
<body>
<h1>Tame the Herd: room <code id="code">${esc(view.code)}</code></h1>
<p>Learners post their grade with <code>pnpm grade NN --room ${esc(opts.joinUrl)} --name NAME</code>. ${view.learners.length} learner${view.learners.length === 1 ? '' : 's'}; this page refreshes every 15 s.</p>
<section id="most-failed"><h2>Most failed checks</h2>${top}</section>
<section id="learners"><h2>Learners by module</h2>${table}</section>
</body></html>
`;
}

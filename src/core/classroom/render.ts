/**
 * The class report as Markdown (to read or paste into an issue), CSV (a grade book: one row per
 * student) and a self-contained HTML page with a chart (no script, no outside resource). Every
 * text from a progress file is untrusted: it goes through `inert` for its surface, and CSV
 * cells that a spreadsheet would run as a formula are defused.
 */
import { inert } from '../text';
import { stuckSteps, type ClassReport, type LabSummary, type StepSummary } from './classReport';

export type ReportFormat = 'markdown' | 'csv' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['markdown', 'csv', 'html'];

function md(text: string): string {
  return inert(text.replace(/\s+/g, ' ').trim(), 'markdown');
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${Math.round((part / whole) * 100)}%`;
}

function minutesText(lab: LabSummary): string {
  const m = lab.minutes;
  if (!m) return '-';
  return m.min === m.max ? `${m.median} min` : `${m.median} min (${m.min}–${m.max})`;
}

function averageScore(report: ClassReport, lab: LabSummary): string {
  const n = report.students.length;
  if (n === 0 || lab.maxPoints === 0) return '-';
  const total = report.students.reduce((sum, s) => sum + (s.labs[lab.id]?.score ?? 0), 0);
  return `${round1(total / n)} / ${round1(lab.maxPoints)}`;
}

function round1(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function reasonsText(step: StepSummary, esc: (t: string) => string): string {
  return step.reasons.map((r) => `${esc(r.reason)} (${r.students})`).join('; ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function headline(report: ClassReport): string {
  return `${plural(report.files, 'file')} read: ${plural(report.students.length, 'student')} counted, ${plural(report.problems.length, 'file')} not counted.`;
}

export function renderMarkdown(report: ClassReport): string {
  const lines: string[] = ['# Class progress', '', `Generated ${report.generatedAt.replace('T', ' ').slice(0, 16)} UTC. ${headline(report)}`, ''];
  const n = report.students.length;
  lines.push('## Labs', '', '| Lab | Started | Completed | Median time | Average score |', '|---|---|---|---|---|');
  for (const lab of report.labs) {
    const other = lab.otherVersion > 0 ? ` (${lab.otherVersion} on another version)` : '';
    lines.push(`| ${md(lab.title)}${lab.version ? ` v${md(lab.version)}` : ''}${other} | ${lab.started}/${n} | ${lab.completed}/${n} | ${minutesText(lab)} | ${averageScore(report, lab)} |`);
  }
  const stuck = stuckSteps(report);
  lines.push('', '## Where students are stuck', '');
  if (stuck.length === 0) lines.push('Nobody is stuck.');
  else {
    lines.push('| Lab | Step | Students | Most common reasons |', '|---|---|---|---|');
    for (const { lab, step } of stuck) lines.push(`| ${md(lab.title)} | ${md(step.title)} | ${step.stuck} | ${reasonsText(step, md)} |`);
  }
  for (const lab of report.labs) {
    lines.push('', `## ${md(lab.title)}`, '', '| # | Step | Points | Passed | Stuck here |', '|---|---|---|---|---|');
    lab.steps.forEach((step, i) => {
      lines.push(`| ${i + 1} | ${md(step.title)} | ${round1(step.points)} | ${step.passed}/${n} | ${step.stuck} |`);
    });
  }
  lines.push('', '## Students', '');
  if (n === 0) lines.push('No progress file could be counted.');
  else {
    lines.push(`| Student | ${report.labs.map((l) => md(l.title)).join(' | ')} | Total |`, `|---|${report.labs.map(() => '---|').join('')}---|`);
    for (const s of report.students) {
      const cells = report.labs.map((l) => {
        const r = s.labs[l.id];
        return r ? `${round1(r.score)}/${round1(r.max)}` : '-';
      });
      lines.push(`| ${md(s.student)} | ${cells.join(' | ')} | ${round1(s.score)}/${round1(s.max)} (${percent(s.score, s.max)}) |`);
    }
  }
  if (report.problems.length > 0) {
    lines.push('', '## Files not counted', '', '| File | Why |', '|---|---|');
    for (const p of report.problems) lines.push(`| ${md(p.file)} | ${md(`${p.kind}: ${p.message}`)} |`);
  }
  if (report.notes.length > 0) {
    lines.push('', '## Notes', '');
    for (const note of report.notes) lines.push(`- ${md(note)}`);
  }
  lines.push('', 'A progress file is written by the student and can be edited; verify a result live with `container-labs check LAB STEP` on their engine.', '');
  return lines.join('\n');
}

/** A CSV cell: quoted when needed; a leading = + - @ (a spreadsheet formula) is made text with a '. */
function csvCell(value: string | number): string {
  let text = typeof value === 'number' ? String(value) : value.replace(/[\r\n]+/g, ' ');
  if (typeof value === 'string' && /^[=+\-@\t]/.test(text)) text = `'${text}`;
  return /[",;\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per counted student (a grade book); the not-counted files are left to the other formats. */
export function renderCsv(report: ClassReport): string {
  const header = ['student', 'file', 'exported_at'];
  for (const lab of report.labs) header.push(`${lab.id} score (of ${round1(lab.maxPoints)})`, `${lab.id} steps passed (of ${lab.steps.length})`);
  header.push('total score', 'total max', 'percent');
  const rows = [header.map(csvCell).join(',')];
  for (const s of report.students) {
    const cells: Array<string | number> = [inert(s.student, 'plain'), inert(s.file, 'plain'), s.exportedAt];
    for (const lab of report.labs) {
      const r = s.labs[lab.id];
      cells.push(r ? Math.round(r.score * 10) / 10 : 0, r ? r.passed : 0);
    }
    cells.push(Math.round(s.score * 10) / 10, Math.round(s.max * 10) / 10, s.max === 0 ? 0 : Math.round((s.score / s.max) * 100));
    rows.push(cells.map(csvCell).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}

function h(text: string): string {
  return inert(text, 'html');
}

/** A horizontal bar per step: the share of students who passed it, and (lighter) who are stuck there. */
function chart(lab: LabSummary, students: number): string {
  const rowHeight = 22;
  const labelWidth = 260;
  const barWidth = 360;
  const height = lab.steps.length * rowHeight + 24;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${labelWidth + barWidth + 70}" height="${height}" viewBox="0 0 ${labelWidth + barWidth + 70} ${height}">`,
    `<title>${h(`${lab.title}: students who passed each step`)}</title>`,
  ];
  lab.steps.forEach((step, i) => {
    const y = i * rowHeight + 4;
    const passed = students === 0 ? 0 : step.passed / students;
    const stuck = students === 0 ? 0 : step.stuck / students;
    const label = step.title.length > 40 ? `${step.title.slice(0, 39)}…` : step.title;
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end" class="label">${h(`${i + 1}. ${label}`)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${barWidth}" height="${rowHeight - 6}" class="track"/>`,
      `<rect x="${labelWidth}" y="${y}" width="${Math.round(barWidth * passed)}" height="${rowHeight - 6}" class="passed"/>`,
      `<rect x="${labelWidth + Math.round(barWidth * passed)}" y="${y}" width="${Math.round(barWidth * stuck)}" height="${rowHeight - 6}" class="stuck"/>`,
      `<text x="${labelWidth + barWidth + 6}" y="${y + 14}" class="value">${step.passed}/${students}</text>`,
    );
  });
  parts.push(
    `<text x="${labelWidth}" y="${height - 4}" class="legend">passed</text>`,
    `<text x="${labelWidth + 60}" y="${height - 4}" class="legend stuck-text">stuck here</text>`,
    '</svg>',
  );
  return parts.join('');
}

const STYLE = `body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1b1f23;max-width:1100px}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.label,.value,.legend{font-size:12px;fill:#1b1f23}.track{fill:#eaeef2}.passed{fill:#1f883d}.stuck{fill:#d4a72c}
.stuck-text{fill:#9a6700}.muted{color:#57606a}`;

export function renderHtml(report: ClassReport): string {
  const n = report.students.length;
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // Nothing from outside: no script, no fetch; styles and the chart are inline.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Class progress</title>',
    `<style>${STYLE}</style></head><body>`,
    '<h1>Class progress</h1>',
    `<p class="muted">Generated ${h(report.generatedAt.replace('T', ' ').slice(0, 16))} UTC. ${h(headline(report))}</p>`,
    '<h2>Labs</h2>',
    '<table><thead><tr><th>Lab</th><th>Started</th><th>Completed</th><th>Median time</th><th>Average score</th></tr></thead><tbody>',
  ];
  for (const lab of report.labs) {
    const other = lab.otherVersion > 0 ? ` (${lab.otherVersion} on another version)` : '';
    out.push(`<tr><td>${h(lab.title)}${lab.version ? ` v${h(lab.version)}` : ''}${h(other)}</td><td>${lab.started}/${n}</td><td>${lab.completed}/${n}</td><td>${h(minutesText(lab))}</td><td>${h(averageScore(report, lab))}</td></tr>`);
  }
  out.push('</tbody></table>', '<h2>Where students are stuck</h2>');
  const stuck = stuckSteps(report);
  if (stuck.length === 0) out.push('<p>Nobody is stuck.</p>');
  else {
    out.push('<table><thead><tr><th>Lab</th><th>Step</th><th>Students</th><th>Most common reasons</th></tr></thead><tbody>');
    for (const { lab, step } of stuck) {
      const reasons = step.reasons.map((r) => `<li>${h(r.reason)} (${r.students})</li>`).join('');
      out.push(`<tr><td>${h(lab.title)}</td><td>${h(step.title)}</td><td>${step.stuck}</td><td>${reasons ? `<ul>${reasons}</ul>` : ''}</td></tr>`);
    }
    out.push('</tbody></table>');
  }
  for (const lab of report.labs) {
    out.push(`<h2>${h(lab.title)}</h2>`, `<figure>${chart(lab, n)}</figure>`);
  }
  out.push('<h2>Students</h2>');
  if (n === 0) out.push('<p>No progress file could be counted.</p>');
  else {
    out.push(`<table><thead><tr><th>Student</th>${report.labs.map((l) => `<th>${h(l.title)}</th>`).join('')}<th>Total</th></tr></thead><tbody>`);
    for (const s of report.students) {
      const cells = report.labs.map((l) => {
        const r = s.labs[l.id];
        return `<td>${r ? `${round1(r.score)}/${round1(r.max)}` : '-'}</td>`;
      });
      out.push(`<tr><td title="${h(s.file)}">${h(s.student)}</td>${cells.join('')}<td>${round1(s.score)}/${round1(s.max)} (${percent(s.score, s.max)})</td></tr>`);
    }
    out.push('</tbody></table>');
  }
  if (report.problems.length > 0) {
    out.push('<h2>Files not counted</h2>', '<table><thead><tr><th>File</th><th>Why</th></tr></thead><tbody>');
    for (const p of report.problems) out.push(`<tr><td>${h(p.file)}</td><td>${h(`${p.kind}: ${p.message}`)}</td></tr>`);
    out.push('</tbody></table>');
  }
  if (report.notes.length > 0) out.push('<h2>Notes</h2>', `<ul>${report.notes.map((note) => `<li>${h(note)}</li>`).join('')}</ul>`);
  out.push('<p class="muted">A progress file is written by the student and can be edited; verify a result live with <code>container-labs check LAB STEP</code> on their engine.</p>', '</body></html>', '');
  return out.join('\n');
}

export function renderReport(report: ClassReport, format: ReportFormat): string {
  return format === 'csv' ? renderCsv(report) : format === 'html' ? renderHtml(report) : renderMarkdown(report);
}

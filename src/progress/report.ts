/**
 * A Markdown progress report a student can hand to an instructor.
 */
import type { Catalog } from '../core/model';
import type { LabSession } from '../session/types';
import { isComplete, shownStatus, type ShownStatus } from '../core/runtime/steps';
import { inert } from '../core/text';

const WORDS: Record<ShownStatus, string> = {
  'not-started': 'not started',
  current: 'in progress',
  passed: 'passed',
  read: 'read (no check)',
  failed: 'not passed',
  error: 'could not be checked',
};

function cell(text: string): string {
  return inert(text.replace(/\s+/g, ' ').trim(), 'markdown');
}

function when(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function progressReport(session: LabSession, opts: { now?: Date; who?: string } = {}): string {
  const catalog: Catalog = session.catalog;
  const now = opts.now ?? new Date();
  const lines: string[] = ['# Container Labs progress report', ''];
  lines.push(`Generated ${now.toISOString().replace('T', ' ').slice(0, 16)} UTC${opts.who ? ` for ${cell(opts.who)}` : ''}.`, '');
  let passed = 0;
  let total = 0;
  let read = 0;
  let unchecked = 0;
  for (const lab of catalog.labs) {
    const p = session.getProgress(lab.id);
    passed += p.passed;
    total += p.total;
    read += p.read;
    unchecked += p.unchecked;
  }
  lines.push(`**${passed} of ${total} checked steps passed**${unchecked > 0 ? `, ${read} of ${unchecked} steps without a check read,` : ''} in ${catalog.labs.length} labs.`, '');
  lines.push('| Lab | Passed | Checked steps | Read | Steps without a check |', '|---|---|---|---|---|');
  for (const lab of catalog.labs) {
    const p = session.getProgress(lab.id);
    lines.push(`| ${cell(lab.title)} | ${isComplete(p) ? '✅ ' : ''}${p.passed} | ${p.total} | ${p.read} | ${p.unchecked} |`);
  }
  for (const lab of catalog.labs) {
    const p = session.getProgress(lab.id);
    lines.push('', `## ${cell(lab.title)} (${p.passed}/${p.total}${p.unchecked > 0 ? `, ${p.read}/${p.unchecked} read` : ''})`, '');
    lines.push('| # | Step | Status | Passed at | Hints | Solution | Note |', '|---|---|---|---|---|---|---|');
    lab.steps.forEach((step, i) => {
      const s = session.getState({ labId: lab.id, stepId: step.id });
      const note = s.status === 'passed' ? '' : (s.reason ?? '');
      lines.push(
        `| ${i + 1} | ${cell(step.title)} | ${WORDS[shownStatus(step, s.status)]} | ${when(s.passedAt)} | ${s.hintsShown}/${step.hints.length} | ${s.solutionShown ? 'viewed' : ''} | ${cell(note)} |`,
      );
    });
  }
  if (catalog.broken.length > 0) {
    lines.push('', '## Lab files that could not be loaded', '');
    for (const b of catalog.broken) {
      const first = b.issues[0];
      lines.push(`- ${cell(b.file)}${first ? `:${first.line}:${first.col}: ${cell(first.message)}` : ''}`);
    }
  }
  lines.push('');
  return lines.join('\n');
}
